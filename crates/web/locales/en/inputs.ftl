# Uploads refused because reading them would take more than the server allows (issue 13).
err-xlsform-too-big = This workbook is too large or too unusual to read safely: a form may have at most 20,000 rows and 500 columns per sheet, 100,000 texts and 24 MB unpacked. Remove empty rows and columns far from the form (or cells typed far below it), save it again as .xlsx and try again.
