"""居务公开 (disclosure), the pure side: notices for the public board, reviewed by the supervisory committee
(居务监督委员会) before they are published, corrected only by new versions, open to objections (质询) during their 公示
period (notice.py); the finance book whose entries are corrected by new entries and reported month by month
(finance.py); and the disclosure schedule that says what is overdue (schedule.py). Pure: no I/O, no clock (the time
comes with the command)."""
