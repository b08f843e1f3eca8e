# Сабактар: өзгөртүү, жылдыруу, жокко чыгаруу, өчүрүү; катышууну сабак башталгандан кийин гана
# белгилөө; бир бөлмөдө бир убакта эки сабак. Жана эскертме атаган күн.
session-edit = Өзгөртүү
session-edit-title = Сабакты өзгөртүү
session-cancelled = Жокко чыгарылды
session-cancel = Сабакты жокко чыгаруу
session-restore = Сабакты ырааттамага кайтаруу
session-cancel-hint = Жокко чыгарылган сабак ырааттамада «жокко чыгарылды» белгиси менен калат жана программаны бүтүрүүдө эсептелбейт.
session-delete = Сабакты өчүрүү
session-delete-hint = Сабакты ката киргизилген болсо гана өчүрүңүз. Тарыхта калтыруу үчүн аны жокко чыгарыңыз.
session-delete-confirm = { $n ->
   *[other] Анын { $n } катышуу белгисин да өчүрүү
}
err-confirm-delete-attendance = Бул сабакта катышуу белгиленген. Ал сабак менен кошо өчүрүлөрүн ырастоо үчүн белги коюңуз.
session-room-clash = Ушул эле убакта ушул бөлмөдө башка сабак өтөт:
session-room-clash-short = Бөлмө эки жолу ээленген
flash-session-room-clash = Сакталды. Көңүл буруңуз: ушул эле убакта ушул бөлмөдө башка сабак өтөт.
flash-session-cancelled = Сабак жокко чыгарылды.
flash-session-restored = Сабак кайра ырааттамада.
flash-session-deleted = Сабак өчүрүлдү.
err-session-not-started = Бул сабак али башталган жок. Катышууну сабак башталгандан кийин белгилесеңиз болот.
err-session-cancelled = Бул сабак жокко чыгарылган: анда катышуу белгиленбейт.
mail-reminder-today-subject = Бүгүн: { $event }
mail-reminder-tomorrow-subject = Эртең: { $event }
mail-reminder-date-subject = { $date }: { $event }
badge-holder-address = Төш белгинин ээси катары дарегиңиз (аны төш белгиңизди Open Badges валидатору менен текшерген адамга бериңиз)
certificate-file = сертификат
badge-criteria = Программанын сабактарынын кеминде { $pct }% катышты. Модулдар: { $modules }.
badge-criteria-final = Программанын сабактарынын кеминде { $pct }% жана анын акыркы модулуна катышты. Модулдар: { $modules }.
