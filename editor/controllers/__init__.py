"""Controllers: the editor behaviour between the Qt widgets and the Document (files, editing, playback, AI, autosave)."""
