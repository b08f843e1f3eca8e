# Impact figures a donor reads (issue 12): women reached by unknown settlement, the funnel's note,
# positive deviance in words, and what positive deviant women do differently (practices).
ind-women-reached-unknown = Women reached, rural or urban not recorded
impact-funnel-note = Each step counts only the women of the step before who reached it in the same period; the percentages are of the women who applied.
pd-strength-far = Her income grew far more than that of women who started like her; this is very rare.
pd-strength-much = Her income grew much more than that of women who started like her; this is rare.
pd-strength-clear = Her income grew clearly more than that of women who started like her.
practice-title = What she does differently
practice-intro = Talk with her and write down in a few words what she does that other women could learn. Do not write her name or anything that would let someone recognise her: the practice is shared with the other labs, without names.
practice-practice = What she does differently
practice-found = How she found it
practice-teachable = Could it be taught to other women?
practice-teachable-yes = Yes
practice-teachable-no = No
practice-teachable-unsure = Not sure
practice-record = Write down what she does differently
practice-edit = Change the note
practices-link = Practices that work, across labs
practices-title = Practices that work
practices-intro = What women whose income grew far more than for women who started like them do differently, as the coordinators of their labs noted it. No names: only the lab and the practice.
practices-none = No practice written down yet. Open a lab's positive deviance list and write down what these women do differently.
err-practice-text = Write what she does differently, in at most 1000 characters.
err-practice-found = Write how she found it in at most 500 characters.
err-practice-teachable = Choose yes, no or not sure.
