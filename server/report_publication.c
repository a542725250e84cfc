#include "report_publication.h"

#include <string.h>

#include "report_doc.h"

bool report_publication_read(const cJSON *report, ReportPublication *out, char **err)
{
	const cJSON *pub, *amendment;

	memset(out, 0, sizeof *out);
	*err = NULL;
	/* Absent: a document from before publication existed, read as now. */
	if (!cJSON_GetObjectItemCaseSensitive(report, "publication"))
		return true;
	if (!doc_object(report, "", "publication", true, &pub, err))
		return false;
	if (!pub)
		return true;
	if (!doc_string(pub, "publication", "taken_at", false, &out->taken_at, err) ||
	    !doc_string(pub, "publication", "sha256", false, &out->sha256, err) ||
	    !doc_count(pub, "publication", "responses", false, &out->responses, err) ||
	    !doc_object(pub, "publication", "amendment", true, &amendment, err))
		return false;
	out->published = true;
	if (!amendment)
		return true;
	if (!doc_count(amendment, "publication.amendment", "late_responses", false, &out->late,
		       err) ||
	    !doc_count(amendment, "publication.amendment", "responses", false, &out->now, err) ||
	    !doc_string(amendment, "publication.amendment", "generated_at", false,
			&out->generated_at, err) ||
	    !doc_string(amendment, "publication.amendment", "data_as_of", true, &out->data_as_of,
			err) ||
	    !doc_array(amendment, "publication.amendment", "questionnaires", false,
		       &out->questionnaires, err))
		return false;
	out->amended = true;
	return true;
}
