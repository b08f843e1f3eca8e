err-bad-text = This text holds an invisible or control character (for example one that reverses the direction of the text). Please type it again without it.
err-date-implausible = This date cannot be right for this field. Please check the year.
err-edit-conflict = Someone else saved this record after you opened it. Your changes were not saved: compare the two versions below and save again.
conflict-yours = Your version
conflict-theirs = Saved meanwhile
