# Intake: declining an application with a reason, reopening it, second applications; the
# public form speaks to the applicant.
intake-decline-title = Decline the application
intake-decline-reason = Why is the application declined?
intake-decline-reason-hint = Kept on her record for the coordinators of the lab.
intake-decline-by-email = She will get a message by email, in her language.
intake-decline-share-reason = Give her the reason in the message
intake-decline-no-email = She has no email: tell her yourself, by phone or in person.
intake-decline-told = I have told her
intake-decline-confirm = Decline the application
intake-decline-cancel = Back without declining
intake-declined-because = Declined:
intake-told-email = told by email
intake-told-in-person = told by the coordinator
intake-told-not-yet = not told yet
intake-reopen = Reopen the application
intake-applied-again = { $n ->
    [one] applied again once
   *[other] applied again { $n } times
}
intake-mail-declined-subject = Your application to { $place }
intake-mail-declined-body = Dear { $name }, thank you for applying to { $place }. We are sorry: this time we cannot accept your application. You are welcome at the lab's open events, and you may apply again later.
intake-mail-reason = The reason:
flash-declined = The application is declined.
flash-reopened = The application is open again.
err-consent-required-self = Please tick the box: we can keep your application only with your consent.
# The decision as staff read it on an application (the applicant reads her own banner).
grants-decision-awarded-staff = The application of { $name } was awarded.
grants-decision-declined-staff = The application of { $name } was not awarded.
grants-decision-message-sent = Message sent to her:
# Mentoring proposals: her own choice of mentor, and a refused pair named.
mentoring-choice-full = She chose { $name }, who has no room left.
mentoring-choice-cannot-meet = She chose { $name }, who neither meets in her lab nor mentors remotely as she accepts.
mentoring-choice-gone = The mentor she chose no longer mentors for this lab.
mentoring-choice-better-fit = She chose { $name }; the best fit for everyone waiting pairs { $name } with someone else. Change the mentor here to follow her choice.
err-mentoring-full = This mentor has no room left: she already has as many mentees as she can take.
err-mentoring-cannot-meet = This mentor does not meet in this lab, and remote mentoring does not suit this resident.
# Opening a support case: find her, or register a woman who walked in.
support-find-her = Find her: family or given name (any spelling), or phone
support-find-hint = Type at least two letters. You will see her year of birth and town or village to tell women of the same name apart.
support-choose-another = choose another woman
support-walk-in = Not in the records? Register her
support-walk-in-hint = Only if your search did not find her. Read her the consent text; register her only if she agrees.
support-walk-in-consent-language = Language she was told the text in
support-walk-in-submit = Register her and open a case
flash-walk-in = She is registered. Now open her case.
