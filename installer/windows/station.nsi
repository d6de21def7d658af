; Registration Station: Windows installer (NSIS 3). Per-user, no administrator rights needed.
;
; Build on Windows after the PyInstaller bundle (installer/pyinstaller/station.spec), or on Linux with Debian's
; nsis package against any bundle folder:
;
;   makensis -DVERSION=0.1.0 -DBUNDLE_DIR=..\..\build\installer\dist\registration-station installer\windows\station.nsi
;
; VERSION comes from station/__init__.py (`python -c "import station; print(station.__version__)"`); the
; script refuses to build without it (tests/installer/test_windows_script.py compiles it here).
; The records live in the per-user data folder the program uses (platformdirs: %LOCALAPPDATA%\RegistrationStation);
; installing a newer version over an older one replaces the program only, and the program migrates the records
; at its next start after a backup copy. The uninstaller removes the program and keeps the records unless the
; user asks, twice, for them to be deleted (a silent uninstall never deletes them).

Unicode true
!include "MUI2.nsh"
!include "LogicLib.nsh"

!ifndef VERSION
  !error "Pass the version: makensis -DVERSION=x.y.z (station/__init__.py)"
!endif
!ifndef BUNDLE_DIR
  !define BUNDLE_DIR "..\..\build\installer\dist\registration-station"
!endif
!ifndef OUT_FILE
  !define OUT_FILE "RegistrationStation-${VERSION}-setup.exe"
!endif

!define APP_NAME "Registration Station"
!define APP_ID "registration-station"
!define DATA_DIR_NAME "RegistrationStation"
!define EXE_CONSOLE "station.exe"
!define EXE_WINDOW "station-window.exe"
!define ICON_FILE "_internal\station\resources\icons\${APP_ID}.ico"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${DATA_DIR_NAME}"

Name "${APP_NAME} ${VERSION}"
OutFile "${OUT_FILE}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${APP_NAME}"
InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"
SetCompressor /SOLID lzma
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APP_NAME}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${APP_NAME} installer"
VIAddVersionKey "LegalCopyright" "Registration Station maintainers"

!define MUI_ICON "${BUNDLE_DIR}\${ICON_FILE}"
!define MUI_UNICON "${BUNDLE_DIR}\${ICON_FILE}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE_WINDOW}"
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_LANGUAGE "Arabic"

LangString KeepData ${LANG_ENGLISH} "Also delete every registration record of this Windows account ($LOCALAPPDATA\${DATA_DIR_NAME})?$\r$\n$\r$\nChoose No to keep them (recommended: export them first)."
LangString KeepData ${LANG_ARABIC} "هل تريد أيضاً حذف كل سجلات التسجيل لهذا الحساب ($LOCALAPPDATA\${DATA_DIR_NAME})؟$\r$\n$\r$\nاختر لا للإبقاء عليها (يُنصح بتصديرها أولاً)."
LangString ReallyDelete ${LANG_ENGLISH} "The records cannot be recovered after this. Delete them now?"
LangString ReallyDelete ${LANG_ARABIC} "لا يمكن استعادة السجلات بعد ذلك. هل تحذفها الآن؟"

Var DeleteData

Section "Program" SecProgram
  SectionIn RO
  SetShellVarContext current
  ; An upgrade replaces the program folder's contents (no stale libraries), never the data folder.
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${BUNDLE_DIR}\*.*"
  CreateDirectory "$LOCALAPPDATA\${DATA_DIR_NAME}"
  CreateShortCut "$SMPROGRAMS\${APP_NAME}.lnk" "$INSTDIR\${EXE_WINDOW}" "" "$INSTDIR\${ICON_FILE}" 0
  CreateShortCut "$DESKTOP\${APP_NAME}.lnk" "$INSTDIR\${EXE_WINDOW}" "" "$INSTDIR\${ICON_FILE}" 0
  WriteUninstaller "$INSTDIR\uninstall.exe"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${APP_NAME}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "Registration Station maintainers"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${ICON_FILE}"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" "$\"$INSTDIR\uninstall.exe$\""
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" "$\"$INSTDIR\uninstall.exe$\" /S"
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
SectionEnd

Function un.onInit
  StrCpy $DeleteData "0"
  IfSilent done  ; a silent uninstall (/S) never deletes records
  MessageBox MB_YESNO|MB_ICONEXCLAMATION|MB_DEFBUTTON2 "$(KeepData)" IDNO done
  MessageBox MB_YESNO|MB_ICONSTOP|MB_DEFBUTTON2 "$(ReallyDelete)" IDNO done
  StrCpy $DeleteData "1"
  done:
FunctionEnd

Section "Uninstall"
  SetShellVarContext current
  Delete "$SMPROGRAMS\${APP_NAME}.lnk"
  Delete "$DESKTOP\${APP_NAME}.lnk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${EXE_CONSOLE}"
  Delete "$INSTDIR\${EXE_WINDOW}"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINST_KEY}"
  ${If} $DeleteData == "1"
    RMDir /r "$LOCALAPPDATA\${DATA_DIR_NAME}"
  ${EndIf}
SectionEnd
