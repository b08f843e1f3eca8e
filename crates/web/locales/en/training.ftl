# Training sessions: editing, moving, cancelling, deleting; attendance only once a session has
# begun; two sessions in one room at once. And the day a reminder names.
session-edit = Edit
session-edit-title = Edit session
session-cancelled = Cancelled
session-cancel = Cancel this session
session-restore = Restore this session
session-cancel-hint = A cancelled session stays on the schedule, marked as cancelled, and does not count toward completion.
session-delete = Delete this session
session-delete-hint = Delete a session only if it was entered by mistake. To keep it on record, cancel it instead.
session-delete-confirm = { $n ->
    [one] Also delete its { $n } attendance mark
   *[other] Also delete its { $n } attendance marks
}
err-confirm-delete-attendance = Attendance was taken at this session. Tick the box to confirm that it is deleted with the session.
session-room-clash = Another session uses the same room at the same time:
session-room-clash-short = Room double-booked
flash-session-room-clash = Saved. Warning: another session uses the same room at the same time.
flash-session-cancelled = The session is cancelled.
flash-session-restored = The session is back on the schedule.
flash-session-deleted = The session is deleted.
err-session-not-started = This session has not started yet. Attendance can be taken once it begins.
err-session-cancelled = This session is cancelled: no attendance is taken for it.
mail-reminder-today-subject = Today: { $event }
mail-reminder-tomorrow-subject = Tomorrow: { $event }
mail-reminder-date-subject = { $date }: { $event }
badge-holder-address = Your address as the badge holder (give it to whoever checks your badge with an Open Badges validator)
certificate-file = certificate
badge-criteria = Attended at least { $pct }% of the programme's sessions. Modules: { $modules }.
badge-criteria-final = Attended at least { $pct }% of the programme's sessions and its final module. Modules: { $modules }.
