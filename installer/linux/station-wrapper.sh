#!/bin/sh
# /usr/bin/station: the installed one-folder bundle (the .deb puts it under /opt/registration-station).
exec /opt/registration-station/station "$@"
