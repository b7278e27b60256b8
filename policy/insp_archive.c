/*
 * PutContainerArchive (PUT /containers/{name}/archive?path=
 * &noOverwriteDirNonDir=&copyUIDGID=): the body is a tar stream, never
 * buffered, extracted into the container's filesystem, bind mounts
 * included (those were checked when the container was created).  The
 * daemon reads the query with ParseForm, so a malformed query is refused
 * here as it would be there; path and the two flags need no rule.
 *
 * The daemon detects a compressed stream by its first bytes, not by any
 * header (archive.DecompressStream; xz and zstd may run host helper
 * binaries), so the archive rule's allow_compressed can only be enforced
 * by whoever sees the body: the inspector sets ctx->refuse_compressed, and
 * the proxy, which holds the first bytes before it forwards them, asks
 * pol_upload_is_compressed().
 */
#include "sockwarden/compat.h"

#include <string.h>

#include "insp_check.h"
#include "insp_endpoints.h"
#include "query.h"

int
pol_insp_archive(struct pol_insp_ctx *ctx)
{
	struct pol_query q;
	int rc = 0;

	if (pol_chk_query(ctx, &q) == -1)
		return -1;
	if (pol_query_value(&q, "path")[0] == '\0')
		rc = pol_chk_malformed(ctx, "query: path is empty");
	pol_query_free(&q);
	/* Only an enforced rule refuses; in warn or audit mode the upload goes through unchecked.
	 */
	ctx->refuse_compressed = pol_rule_on(ctx, POL_RULE_ARCHIVE) &&
	                         !ctx->rules->archive_allow_compressed &&
	                         ctx->rules->mode[POL_RULE_ARCHIVE] == POL_MODE_ENFORCE;
	return rc;
}

/*
 * Compressed tar streams as archive.DecompressStream recognises them by
 * their first bytes (gzip, bzip2, xz, zstd; compression.Detect).
 */
bool
pol_upload_is_compressed(const unsigned char *p, size_t n)
{
	static const unsigned char gz[] = { 0x1f, 0x8b, 0x08 };
	static const unsigned char bz[] = { 'B', 'Z', 'h' };
	static const unsigned char xz[] = { 0xfd, '7', 'z', 'X', 'Z', 0x00 };
	static const unsigned char zst[] = { 0x28, 0xb5, 0x2f, 0xfd };

	if (n >= sizeof(gz) && memcmp(p, gz, sizeof(gz)) == 0)
		return true;
	if (n >= sizeof(bz) && memcmp(p, bz, sizeof(bz)) == 0)
		return true;
	if (n >= sizeof(xz) && memcmp(p, xz, sizeof(xz)) == 0)
		return true;
	if (n >= sizeof(zst) && memcmp(p, zst, sizeof(zst)) == 0)
		return true;
	/* zstd skippable frames: 0x184D2A50..5F little-endian, seen only with 8 bytes. */
	return n >= 8 && (p[0] & 0xf0) == 0x50 && p[1] == 0x2a && p[2] == 0x4d && p[3] == 0x18;
}
