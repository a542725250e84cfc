#include "report_words.h"

#include <stddef.h>
#include <string.h>

typedef struct Word {
	const char *key;
	const char *label;
} Word;

static const char *lookup(const Word *words, size_t n, const char *key)
{
	if (!key)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(words[i].key, key) == 0)
			return words[i].label;
	return NULL;
}

#define LOOKUP(words, key) lookup(words, sizeof words / sizeof words[0], key)

const char *report_verdict_label(const char *verdict)
{
	/* "Chưa kết luận được" rather than "không đạt": the interval straddles
	 * the target, so more answers are needed before saying either. */
	static const Word words[] = {
		{"met", "Đạt"},
		{"not_met", "Chưa đạt"},
		{"inconclusive", "Chưa kết luận được"},
		{"none", "Không có dữ liệu"},
		{"suppressed", "Ẩn (dưới ngưỡng)"},
	};
	return LOOKUP(words, verdict);
}

const char *report_method_label(const char *method)
{
	static const Word words[] = {
		{"mean-of-criteria", "Trung bình các tiêu chí"},
		{"pooled", "Gộp các câu trả lời"},
		{"index", "Chỉ số hài lòng"},
		{"overall-question", "Câu hỏi hài lòng chung"},
	};
	return LOOKUP(words, method);
}

const char *report_kind_label(const char *kind)
{
	static const Word words[] = {
		{"headline", "Chỉ số chính"},
		{"overall", "Chỉ số chung"},
		{"element", "Yếu tố"},
		{"criterion", "Tiêu chí"},
		{"question", "Câu hỏi"},
	};
	return LOOKUP(words, kind);
}

const char *report_publication_label(const char *which)
{
	/* "Bổ sung", not "sửa": the published figures stand, these are added
	 * beside them. */
	static const Word words[] = {
		{"published", "Số liệu đã công bố"},
		{"amendment", "Bổ sung sau khi công bố"},
	};
	return LOOKUP(words, which);
}
