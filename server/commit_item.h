/*
 * commit_item: a checked submission as the group committer's row — the same
 * for a parent's phone and for a paper sheet typed in by staff.
 */
#ifndef HAILONG_COMMIT_ITEM_H
#define HAILONG_COMMIT_ITEM_H

#include "committer.h"
#include "form.h"
#include "submission.h"
#include "token.h"

/* The row for sub (valid answers to form) under token: submission id,
 * content hash, answers and texts as JSON, receipt.  source is "qr", "slip"
 * or "paper" (static); slip the slip code or NULL.  Caller hands it to
 * committer_submit or frees it with commit_item_free; NULL when memory runs
 * out. */
CommitItem *commit_item_build(const unsigned char key[TOKEN_KEY_BYTES],
			      const SubmissionToken *token, long long campaign_id,
			      long long version_id, const Form *form, const Submission *sub,
			      const char *source, const char *slip);

#endif
