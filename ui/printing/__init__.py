"""Print preview and printing of wristbands and ration cards."""
