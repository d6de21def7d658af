"""Screen lock: overlay and idle watcher."""
