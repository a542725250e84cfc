/*
 * report_words: the Vietnamese words every report output uses for the
 * report document's machine values (docs/reports.md), so the CSV, the XLSX
 * workbook and the HTML page say the same thing for the same verdict.
 * All strings returned are static; nothing to free.
 */
#ifndef HAILONG_REPORT_WORDS_H
#define HAILONG_REPORT_WORDS_H

/* "met" → "Đạt", "not_met" → "Chưa đạt", "inconclusive" → "Chưa kết luận
 * được", "none" → "Không có dữ liệu", "suppressed" → "Ẩn (dưới ngưỡng)";
 * NULL for anything else (including NULL), so callers can refuse unknown
 * verdicts instead of showing a blank. */
const char *report_verdict_label(const char *verdict);

/* An aggregation method ("mean-of-criteria", "pooled") or headline basis
 * ("index", "overall-question") in words; NULL when unknown. */
const char *report_method_label(const char *method);

/* A figure-row kind of the exports ("headline", "overall", "element",
 * "criterion", "question") in words; NULL when unknown. */
const char *report_kind_label(const char *kind);

/* Which figures a row or section holds, for a round's published result
 * (report_snapshot.c): "published" → "Số liệu đã công bố", "amendment" →
 * "Bổ sung sau khi công bố"; NULL when unknown. */
const char *report_publication_label(const char *which);

#endif
