# Accounts: invitations, passwords, the first run. Keep keys in step with ky/ and ru/.
back = Back
role-resident = Resident
account-title = My account
account-section = Account
account-has = She signs in as
account-none = She has no account yet: everything she does herself (her schedule, surveys, grant applications) needs one.
account-invited = Invitation sent; the link works until
account-give = Give her an account
account-invite-again = Send a new invitation
account-needs-contact = Add her phone or e-mail to her record first: the account signs in with it.
password-changed-on = Password changed
password-change-title = Change password
password-change-lead = After the change you stay signed in here; every other device signs out and API tokens stop working.
password-change-submit = Change password
password-rule = At least 10 characters. A short sentence is easy to remember.
password-set-submit = Save password and sign in
field-current = Current password
field-new-password = New password
field-confirm = New password again
invite-title = Your account
invite-lead = You have been invited to Women Creative Labs. Choose a password to open your account.
setup-link-lead = This link makes the first network admin of this installation. Enter your name, your e-mail or phone, and a password.
reset-title = New password
reset-lead = Choose a new password for the account of
link-valid-until = The link works until
link-used = This link has already been used or was withdrawn.
link-expired = This link has expired.
link-unknown = This link is not valid. Check that it was copied in full.
link-ask-invite = Ask the coordinator of your lab for a new invitation.
link-ask-reset = Ask for a new link: by e-mail below, or from the coordinator of your lab.
forgot-link = Forgot your password?
forgot-title = Forgotten password
forgot-lead = Enter the e-mail address of your account. We will send a link to set a new password.
forgot-submit = Send the link
forgot-sent = If an account uses this address, a link is on its way. It works for 24 hours.
forgot-phone-hint = You sign in with your phone? Ask the coordinator of your lab: she can give you a link to set a new password.
issued-title = Link ready
issued-invite-lead = Invitation to open an account for
issued-reset-lead = Link to set a new password for
issued-link = Link (send it to her in a messenger or by SMS)
issued-pass-on = It opens one account once. Anyone who has it can use it: send it only to her.
issued-emailed = An e-mail with this link has been sent too.
password-link-issue = Link for a new password
password-link-hint = For a woman who forgot her password and has no e-mail: send her the link yourself.
invitations-pending = Invitations waiting
invitations-none = No invitations waiting.
invitation-revoke = Withdraw
invite-form-lead = The person gets a link to choose her own password (e-mailed when the login is an e-mail, and shown here to pass on). A resident is found by the phone or e-mail on her lab's record.
invite-submit = Invite
setup-title = First start: no network admin yet
setup-lead = Open the setup link printed in the terminal where wcl started, or make the first admin with this command (it reads the password from its input):
case-key-off-title = Support cases are switched off
case-key-off-lead = Support-case notes are sealed with a key kept outside the database. Put a key file beside the server (wcl support rotate-key makes one) and start wcl with WCL_CASE_KEY_FILE pointing to it, or set WCL_CASE_KEY.
err-password-mismatch = The two passwords differ
err-password-wrong = This is not your current password
err-password-same = The new password is the same as the current one
err-no-such-woman = No woman of this lab has this phone or e-mail on her record
err-account-needs-contact = Her record has no phone or e-mail
err-has-account = She already has an account
flash-password-changed = Password changed. Other devices have been signed out.
flash-password-set = Password saved. You are signed in.
flash-invitation-revoked = Invitation withdrawn.
flash-account-needs-contact = Add her phone or e-mail to her record first.
flash-has-account = She already has an account.
flash-login-taken = Another account already uses her phone or e-mail.
mail-invite-subject = Your Women Creative Labs account
mail-invite-body = Hello, { $name }!
    You have been invited to Women Creative Labs. Open this link to choose your password:
    { $link }
    The link works until { $until }. If you did not expect it, ignore this message.
mail-reset-subject = A new password for Women Creative Labs
mail-reset-body = Hello, { $name }!
    Open this link to choose a new password:
    { $link }
    The link works until { $until }. If you did not ask for it, ignore this message: your password stays as it is.
err-unavailable = The database is busy or cannot write just now (for example, the disk is full). Nothing was saved. Please try again in a few seconds.
