/*
 * Fuzz target for a round sent to the JSON API (POST and PATCH
 * /api/v1/campaigns): the body as the server parses it (cJSON, one object),
 * its fields read (campaign_spec_from_json) for a new round and for an edit,
 * then checked (campaign_check) as before any database work.  Any bytes must
 * give a spec or a refusal naming its field; never a crash or a leak.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cjson/cJSON.h>

#include "campaigns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *body = cJSON_ParseWithLength((const char *)data, size);

	if (!cJSON_IsObject(body)) {
		cJSON_Delete(body);
		return 0;
	}
	for (int creating = 0; creating < 2; creating++) {
		CampaignSpec spec;
		CampaignParams params;
		char number[CAMPAIGN_NUMBER_MAX], message[160];
		const char *field = NULL;
		char *err = NULL;
		if (!campaign_spec_from_json(body, creating, &spec, number, message, sizeof message,
					     &field)) {
			if (!field || !message[0])
				abort(); /* a refusal names its field */
			continue;
		}
		if (!campaign_check(&spec, "", &params, &err) && !err)
			abort(); /* and says why */
		free(err);
	}
	cJSON_Delete(body);
	return 0;
}
