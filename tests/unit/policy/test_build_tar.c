/*
 * Tests for policy/build_tar.c: the build context's tar, walked as it
 * streams.  Each row is a tar built here, one header block at a time with
 * a correct checksum unless the row says otherwise, and the "dockerfile"
 * query value; the walker is fed the tar whole, byte by byte and in odd
 * pieces, and each time must end with the same status, error, safe offset
 * and Dockerfile.  Two real tars (Python's tarfile in PAX format with a
 * long path, GNU tar with a long name) are read from tests/data/build_tar/.
 */
#include "sockwarden/compat.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sockwarden/build_check.h"

#define E_END  (-1) /* sentinel: the end of a row's entries */
#define E_ZERO (-2) /* an all-zero block */
#define E_RAW  (-3) /* data's bytes as they are (size of them) */

/* Entry flags. */
#define F_GNU      0x0001 /* GNU magic "ustar " " \0" */
#define F_V7       0x0002 /* no magic */
#define F_STAR     0x0004 /* ustar magic and "tar\0" at 508 */
#define F_BADSUM   0x0008 /* checksum off by one */
#define F_SIGNED   0x0010 /* a high byte in uname, checksum as the signed sum */
#define F_SUMSPACE 0x0020 /* checksum as "  12345 " (spaces, no NUL) */
#define F_B256     0x0040 /* size in base-256 */
#define F_B256UID  0x0080 /* uid in base-256 */
#define F_BADMODE  0x0100 /* mode "9" */
#define F_BADATIME 0x0200 /* GNU atime "zz" */
#define F_PAX      0x0400 /* data: "key=value" lines, made into PAX records */
#define F_NOPAD    0x0800 /* no padding after the data */
#define F_FILL     0x1000 /* data: size bytes of 'x' */
#define F_NUL      0x2000 /* data: size bytes, NULs included */

struct ent {
	int type;         /* typeflag, or E_* */
	const char *name; /* name field (100 bytes at most) */
	const char *data; /* NULL: none */
	long size;        /* size field; -1: the data's length */
	unsigned flags;
	const char *link;   /* linkname field */
	const char *prefix; /* ustar prefix field */
};

/* Where the walker's safe offset must stop. */
#define SAFE_ALL     (-1)         /* the whole body */
#define SAFE_HDR(i)  (i)          /* at the header block of entry i */
#define SAFE_DATA(i) (1000 + (i)) /* after entry i's data, before its padding */

#define DF_FILL "\001fill" /* want_df: POL_BUILD_DOCKERFILE_MAX bytes of 'x' */

struct row {
	const char *name;
	const char *arg; /* the "dockerfile" query value */
	const struct ent *ents;
	enum pol_tar_status want;
	const char *want_error; /* "" unless BAD */
	const char *want_df;    /* NULL: no Dockerfile */
	int want_safe;
};

#define ENTS(...) ((const struct ent[]){ __VA_ARGS__, { E_END, NULL, NULL, 0, 0, NULL, NULL } })
#define REG(n, d)                                \
	{                                        \
		'0', (n), (d), -1, 0, NULL, NULL \
	}
#define REGF(n, d, f)                              \
	{                                          \
		'0', (n), (d), -1, (f), NULL, NULL \
	}
#define DIR(n)                                   \
	{                                        \
		'5', (n), NULL, 0, 0, NULL, NULL \
	}
#define SYM(n, l)                               \
	{                                       \
		'2', (n), NULL, 0, 0, (l), NULL \
	}
#define HARD(n, l)                              \
	{                                       \
		'1', (n), NULL, 0, 0, (l), NULL \
	}
#define TYPE(t, n)                               \
	{                                        \
		(t), (n), NULL, 0, 0, NULL, NULL \
	}
#define PAX(d)                                                    \
	{                                                         \
		'x', "PaxHeaders.0/f", (d), -1, F_PAX, NULL, NULL \
	}
#define PAXRAW(d)                                             \
	{                                                     \
		'x', "PaxHeaders.0/f", (d), -1, 0, NULL, NULL \
	}
#define LONG(d, len)                                                \
	{                                                           \
		'L', "././@LongLink", (d), (len), F_NUL, NULL, NULL \
	}
#define ZERO                                         \
	{                                            \
		E_ZERO, NULL, NULL, 0, 0, NULL, NULL \
	}
#define RAW(d, len)                                    \
	{                                              \
		E_RAW, NULL, (d), (len), 0, NULL, NULL \
	}
#define SIZED(t, n, sz, f)                            \
	{                                             \
		(t), (n), NULL, (sz), (f), NULL, NULL \
	}

#define DF "FROM busybox\n"

static const struct row rows[] = {
	/* ---- where the Dockerfile is found ---- */
	{ "default name", "", ENTS(REG("Dockerfile", DF), ZERO), POL_TAR_END, "", DF, SAFE_HDR(1) },
	{ "default name asked for", "Dockerfile", ENTS(REG("Dockerfile", DF), ZERO), POL_TAR_END,
	    "", DF, SAFE_HDR(1) },
	{ "fallback to lower case", "", ENTS(REG("dockerfile", "FROM b\n"), ZERO), POL_TAR_END, "",
	    "FROM b\n", SAFE_HDR(1) },
	{ "asked-for name wins over fallback", "",
	    ENTS(REG("dockerfile", "FROM b\n"), REG("Dockerfile", DF),
	        REG("dockerfile", "FROM c\n"), ZERO),
	    POL_TAR_END, "", DF, SAFE_HDR(3) },
	{ "no fallback for another name", "sub/Dockerfile", ENTS(REG("dockerfile", DF), ZERO),
	    POL_TAR_END, "", NULL, SAFE_HDR(1) },
	{ "no fallback for ./Dockerfile", "./Dockerfile", ENTS(REG("dockerfile", DF), ZERO),
	    POL_TAR_END, "", NULL, SAFE_HDR(1) },
	{ "./Dockerfile is cleaned", "./Dockerfile", ENTS(REG("Dockerfile", DF), ZERO), POL_TAR_END,
	    "", DF, SAFE_HDR(1) },
	{ "no Dockerfile at all", "", ENTS(REG("README", "x"), ZERO), POL_TAR_END, "", NULL,
	    SAFE_HDR(1) },
	{ "subdirectory", "sub/Dockerfile", ENTS(DIR("sub/"), REG("sub/Dockerfile", DF), ZERO),
	    POL_TAR_END, "", DF, SAFE_HDR(2) },
	{ "argument cleaned", "sub//Dockerfile/", ENTS(REG("sub/Dockerfile", DF), ZERO),
	    POL_TAR_END, "", DF, SAFE_HDR(1) },
	{ "ustar prefix joined", "sub/dir/Dockerfile",
	    ENTS({ '0', "Dockerfile", DF, -1, 0, NULL, "sub/dir" }, ZERO), POL_TAR_END, "", DF,
	    SAFE_HDR(1) },
	{ "v7 has no prefix", "", ENTS({ '0', "Dockerfile", DF, -1, F_V7, NULL, "sub" }, ZERO),
	    POL_TAR_END, "", DF, SAFE_HDR(1) },
	{ "GNU format", "", ENTS(REGF("Dockerfile", DF, F_GNU), ZERO), POL_TAR_END, "", DF,
	    SAFE_HDR(1) },
	/* A GNU header's bytes at 345 are its atime, never a prefix. */
	{ "GNU has no prefix", "", ENTS({ '0', "Dockerfile", DF, -1, F_GNU, NULL, "1" }, ZERO),
	    POL_TAR_END, "", DF, SAFE_HDR(1) },
	{ "last entry wins", "",
	    ENTS(REG("Dockerfile", "FROM a\n"), REG("x", "y"), REG("Dockerfile", "FROM b\n"), ZERO),
	    POL_TAR_END, "", "FROM b\n", SAFE_HDR(3) },
	{ "empty Dockerfile", "", ENTS(REG("Dockerfile", ""), ZERO), POL_TAR_END, "", "",
	    SAFE_HDR(1) },
	{ "leading slash and dots", "", ENTS(REG("/./sub/../Dockerfile", DF), ZERO), POL_TAR_END,
	    "", DF, SAFE_HDR(1) },
	{ "old-style regular file", "", ENTS({ '\0', "Dockerfile", DF, -1, 0, NULL, NULL }, ZERO),
	    POL_TAR_END, "", DF, SAFE_HDR(1) },
	{ "regular file named with a slash", "", ENTS(REG("Dockerfile/", DF), ZERO), POL_TAR_END,
	    "", DF, SAFE_HDR(1) },
	{ "directory size is no data", "",
	    ENTS(SIZED('5', "d/", 1024, 0), REG("Dockerfile", DF), ZERO), POL_TAR_END, "", DF,
	    SAFE_HDR(2) },
	{ "symlink size is no data", "",
	    ENTS({ '2', "s", NULL, 1536, 0, "t", NULL }, REG("Dockerfile", DF), ZERO), POL_TAR_END,
	    "", DF, SAFE_HDR(2) },
	{ "fifo and devices elsewhere", "",
	    ENTS(
	        TYPE('6', "fifo"), TYPE('3', "chr"), TYPE('4', "blk"), REG("Dockerfile", DF), ZERO),
	    POL_TAR_END, "", DF, SAFE_HDR(4) },
	{ "symlink elsewhere", "", ENTS(SYM("link", "x"), REG("Dockerfile", DF), ZERO), POL_TAR_END,
	    "", DF, SAFE_HDR(2) },
	{ "link to the Dockerfile", "",
	    ENTS(REG("Dockerfile", DF), HARD("h", "Dockerfile"), SYM("s", "Dockerfile"), ZERO),
	    POL_TAR_END, "", DF, SAFE_HDR(3) },
	{ "link with a longer name", "",
	    ENTS(SYM("Dockerfile2", "x"), SYM("sub", "x"), REG("Dockerfile", DF), ZERO),
	    POL_TAR_END, "", DF, SAFE_HDR(3) },
	{ "root entries are skipped", "",
	    ENTS(DIR("./"), SYM(".", "x"), REG("Dockerfile", DF), ZERO), POL_TAR_END, "", DF,
	    SAFE_HDR(3) },
	{ "directory at an ancestor", "a/b/Dockerfile",
	    ENTS(REG("a/b/Dockerfile", DF), DIR("a/"), DIR("a/b"), ZERO), POL_TAR_END, "", DF,
	    SAFE_HDR(3) },
	{ "signed checksum", "", ENTS(REGF("Dockerfile", DF, F_SIGNED), ZERO), POL_TAR_END, "", DF,
	    SAFE_HDR(1) },
	{ "checksum with spaces", "", ENTS(REGF("Dockerfile", DF, F_SUMSPACE), ZERO), POL_TAR_END,
	    "", DF, SAFE_HDR(1) },
	{ "uid in base-256", "", ENTS(REGF("Dockerfile", DF, F_B256UID), ZERO), POL_TAR_END, "", DF,
	    SAFE_HDR(1) },
	{ "end by the body's end", "", ENTS(REG("Dockerfile", DF)), POL_TAR_END, "", DF, SAFE_ALL },
	{ "empty body", "", ENTS(RAW("", 0)), POL_TAR_END, "", NULL, SAFE_ALL },
	{ "bytes after the end are not read", "",
	    ENTS(REG("Dockerfile", DF), ZERO, REG("Dockerfile", "FROM evil\n"), RAW("junk", 4)),
	    POL_TAR_END, "", DF, SAFE_HDR(1) },
	{ "a later compression magic is a name", "",
	    ENTS(REG("a", "x"), REG("BZh91", "x"), REG("Dockerfile", DF), ZERO), POL_TAR_END, "",
	    DF, SAFE_HDR(3) },

	/* ---- PAX and GNU long names ---- */
	{ "PAX path", "sub/Dockerfile", ENTS(PAX("path=sub/Dockerfile"), REG("other", DF), ZERO),
	    POL_TAR_END, "", DF, SAFE_HDR(2) },
	{ "PAX path applies to the next entry only", "",
	    ENTS(PAX("path=Dockerfile"), REG("a", "FROM a\n"), REG("b", "FROM b\n"), ZERO),
	    POL_TAR_END, "", "FROM a\n", SAFE_HDR(3) },
	{ "PAX empty path keeps the name", "",
	    ENTS(PAX("path=x\npath="), REG("Dockerfile", DF), ZERO), POL_TAR_END, "", DF,
	    SAFE_HDR(2) },
	{ "PAX last record wins", "", ENTS(PAX("path=x\npath=Dockerfile"), REG("y", DF), ZERO),
	    POL_TAR_END, "", DF, SAFE_HDR(2) },
	{ "PAX second header replaces the first", "",
	    ENTS(PAX("path=Dockerfile"), PAX("mtime=1"), REG("other", DF), ZERO), POL_TAR_END, "",
	    NULL, SAFE_HDR(3) },
	{ "PAX empty header replaces the first", "",
	    ENTS(PAX("path=Dockerfile"), PAXRAW(""), REG("other", DF), ZERO), POL_TAR_END, "", NULL,
	    SAFE_HDR(3) },
	{ "PAX size", "", ENTS(PAX("size=13"), { '0', "Dockerfile", DF, 0, 0, NULL, NULL }, ZERO),
	    POL_TAR_END, "", DF, SAFE_HDR(2) },
	{ "PAX size on a directory is no data", "",
	    ENTS(PAX("size=600"), DIR("d"), REG("Dockerfile", DF), ZERO), POL_TAR_END, "", DF,
	    SAFE_HDR(3) },
	{ "PAX other keys", "",
	    ENTS(PAX("mtime=1.5\nSCHILY.xattr.user.x=a\001b\nuname=root"), REG("Dockerfile", DF),
	        ZERO),
	    POL_TAR_END, "", DF, SAFE_HDR(2) },
	{ "PAX length with leading zeros", "",
	    ENTS(PAXRAW("0000024 path=Dockerfile\n"), REG("x", DF), ZERO), POL_TAR_END, "", DF,
	    SAFE_HDR(2) },
	{ "GNU long name", "sub/Dockerfile", ENTS(LONG("sub/Dockerfile\0", 15), REG("x", DF), ZERO),
	    POL_TAR_END, "", DF, SAFE_HDR(2) },
	{ "GNU long name applies to the next entry only", "",
	    ENTS(LONG("Dockerfile", 10), REG("a", "FROM a\n"), REG("b", "FROM b\n"), ZERO),
	    POL_TAR_END, "", "FROM a\n", SAFE_HDR(3) },
	{ "GNU long name wins over PAX", "",
	    ENTS(PAX("path=other"), LONG("Dockerfile", 10), REG("x", DF), ZERO), POL_TAR_END, "",
	    DF, SAFE_HDR(3) },
	{ "GNU empty long name resets", "",
	    ENTS(LONG("other", 5), LONG("", 0), REG("Dockerfile", DF), ZERO), POL_TAR_END, "", DF,
	    SAFE_HDR(3) },
	{ "GNU long link is read and ignored", "",
	    ENTS({ 'K', "././@LongLink", "target", -1, 0, NULL, NULL }, SYM("s", "t"),
	        REG("Dockerfile", DF), ZERO),
	    POL_TAR_END, "", DF, SAFE_HDR(3) },

	/* ---- headers Go's reader refuses or this walker does not follow ---- */
	{ "checksum mismatch", "", ENTS(REG("x", "y"), REGF("Dockerfile", DF, F_BADSUM), ZERO),
	    POL_TAR_BAD, "a header checksum does not match", NULL, SAFE_HDR(1) },
	{ "STAR header", "", ENTS(REGF("Dockerfile", DF, F_STAR), ZERO), POL_TAR_BAD,
	    "a STAR header is not checked", NULL, SAFE_HDR(0) },
	{ "size in base-256", "", ENTS(REGF("Dockerfile", DF, F_B256), ZERO), POL_TAR_BAD,
	    "a size in base-256 is not checked", NULL, SAFE_HDR(0) },
	{ "mode does not parse", "", ENTS(REGF("Dockerfile", DF, F_BADMODE), ZERO), POL_TAR_BAD,
	    "a header number does not parse", NULL, SAFE_HDR(0) },
	{ "GNU times do not parse", "", ENTS(REGF("Dockerfile", DF, F_GNU | F_BADATIME), ZERO),
	    POL_TAR_BAD, "a GNU header's times do not parse", NULL, SAFE_HDR(0) },
	{ "global PAX header", "", ENTS({ 'g', "g", "9 a=b\n", -1, 0, NULL, NULL }, ZERO),
	    POL_TAR_BAD, "a global PAX header is not checked", NULL, SAFE_HDR(0) },
	{ "GNU sparse entry", "", ENTS(SIZED('S', "s", 0, F_GNU), ZERO), POL_TAR_BAD,
	    "GNU sparse files are not checked", NULL, SAFE_HDR(0) },
	{ "PAX sparse record", "",
	    ENTS(PAX("GNU.sparse.major=1\nGNU.sparse.minor=0"), REG("x", "y"), ZERO), POL_TAR_BAD,
	    "GNU sparse files are not checked", NULL, SAFE_DATA(0) },
	{ "contiguous file", "",
	    ENTS(REGF("Dockerfile", DF, 0), { '7', "c", "x", -1, 0, NULL, NULL }), POL_TAR_BAD,
	    "a contiguous file entry is not checked", NULL, SAFE_HDR(1) },
	{ "unknown type", "", ENTS(TYPE('V', "volume"), ZERO), POL_TAR_BAD,
	    "an entry of an unknown type", NULL, SAFE_HDR(0) },
	{ "PAX record without a space", "", ENTS(PAXRAW("12path=abcd\n")), POL_TAR_BAD,
	    "an extended header is malformed", NULL, SAFE_DATA(0) },
	{ "PAX record length short", "", ENTS(PAXRAW("4 a=\n")), POL_TAR_BAD,
	    "an extended header is malformed", NULL, SAFE_DATA(0) },
	{ "PAX record length past the data", "", ENTS(PAXRAW("99 path=x\n")), POL_TAR_BAD,
	    "an extended header is malformed", NULL, SAFE_DATA(0) },
	{ "PAX record length inside its digits", "", ENTS(PAXRAW("000000006 a=b\n")), POL_TAR_BAD,
	    "an extended header is malformed", NULL, SAFE_DATA(0) },
	{ "PAX record length with a sign", "", ENTS(PAXRAW("+9 a=bc\n")), POL_TAR_BAD,
	    "an extended header is malformed", NULL, SAFE_DATA(0) },
	{ "PAX record without a newline", "", ENTS(PAXRAW("9 a=bcde.")), POL_TAR_BAD,
	    "an extended header is malformed", NULL, SAFE_DATA(0) },
	{ "PAX record without '='", "", ENTS(PAXRAW("9 abcdef\n")), POL_TAR_BAD,
	    "an extended header is malformed", NULL, SAFE_DATA(0) },
	{ "PAX record with an empty key", "", ENTS(PAXRAW("9 =bcdef\n")), POL_TAR_BAD,
	    "an extended header is malformed", NULL, SAFE_DATA(0) },
	{ "PAX path with a NUL", "", ENTS({ 'x', "p", "12 path=a\0b\n", 12, F_NUL, NULL, NULL }),
	    POL_TAR_BAD, "an extended header is malformed", NULL, SAFE_DATA(0) },
	{ "PAX key with a NUL", "", ENTS({ 'x', "p", "9 a\0b=cd\n", 9, F_NUL, NULL, NULL }),
	    POL_TAR_BAD, "an extended header is malformed", NULL, SAFE_DATA(0) },
	{ "PAX size not a number", "", ENTS(PAX("size=12a"), REG("x", "y")), POL_TAR_BAD,
	    "an extended header's size does not parse", NULL, SAFE_DATA(0) },
	{ "PAX size with a sign", "", ENTS(PAX("size=-1"), REG("x", "y")), POL_TAR_BAD,
	    "an extended header's size does not parse", NULL, SAFE_DATA(0) },
	{ "PAX size too large", "", ENTS(PAX("size=9223372036854775808"), REG("x", "y")),
	    POL_TAR_BAD, "an extended header's size does not parse", NULL, SAFE_DATA(0) },
	{ "PAX header too large", "", ENTS(SIZED('x', "p", 65537, 0)), POL_TAR_BAD,
	    "an extended header is too large", NULL, SAFE_HDR(0) },
	{ "GNU long name too large", "", ENTS(SIZED('L', "././@LongLink", 65537, 0)), POL_TAR_BAD,
	    "an extended header is too large", NULL, SAFE_HDR(0) },
	{ "GNU long link too large", "", ENTS(SIZED('K', "././@LongLink", 65537, 0)), POL_TAR_BAD,
	    "an extended header is too large", NULL, SAFE_HDR(0) },

	/* ---- paths and what Unpack would write ---- */
	{ "path climbs", "", ENTS(REG("../Dockerfile", DF)), POL_TAR_BAD,
	    "a path climbs above the context", NULL, SAFE_HDR(0) },
	{ "path climbs after a component", "", ENTS(REG("a/../../x", DF)), POL_TAR_BAD,
	    "a path climbs above the context", NULL, SAFE_HDR(0) },
	{ "absolute path climbs", "", ENTS(REG("/../x", DF)), POL_TAR_BAD,
	    "a path climbs above the context", NULL, SAFE_HDR(0) },
	{ "PAX path climbs", "", ENTS(PAX("path=../x"), REG("x", DF)), POL_TAR_BAD,
	    "a path climbs above the context", NULL, SAFE_HDR(1) },
	{ "write through a symlink", "",
	    ENTS(SYM("l", "."), REG("l/Dockerfile", "FROM evil\n"), ZERO), POL_TAR_BAD,
	    "a path goes through a link", NULL, SAFE_HDR(1) },
	{ "write through a deeper symlink", "",
	    ENTS(DIR("a"), SYM("a/l", "/"), DIR("a/l/b/"), ZERO), POL_TAR_BAD,
	    "a path goes through a link", NULL, SAFE_HDR(2) },
	{ "write through a hard link", "",
	    ENTS(SYM("s", "."), REG("x", "y"), HARD("h", "s"), REG("h/Dockerfile", DF)),
	    POL_TAR_BAD, "a path goes through a link", NULL, SAFE_HDR(3) },
	{ "write through a hard link alone", "",
	    ENTS(REG("f", "y"), HARD("h", "f"), REG("h/x", DF)), POL_TAR_BAD,
	    "a path goes through a link", NULL, SAFE_HDR(2) },
	{ "symlink at the Dockerfile", "", ENTS(SYM("Dockerfile", "x")), POL_TAR_BAD,
	    "a symbolic link at the Dockerfile", NULL, SAFE_HDR(0) },
	{ "symlink at the fallback", "", ENTS(SYM("dockerfile", "x")), POL_TAR_BAD,
	    "a symbolic link at the Dockerfile", NULL, SAFE_HDR(0) },
	{ "hard link at the Dockerfile", "", ENTS(REG("x", DF), HARD("Dockerfile", "x")),
	    POL_TAR_BAD, "a hard link at the Dockerfile", NULL, SAFE_HDR(1) },
	{ "symlink at an ancestor", "sub/Dockerfile",
	    ENTS(REG("x/Dockerfile", DF), SYM("sub", "x")), POL_TAR_BAD,
	    "a symbolic link at an ancestor of the Dockerfile", NULL, SAFE_HDR(1) },
	{ "symlink at an ancestor after it", "a/b/Dockerfile",
	    ENTS(REG("a/b/Dockerfile", DF), SYM("a/b", "c")), POL_TAR_BAD,
	    "a symbolic link at an ancestor of the Dockerfile", NULL, SAFE_HDR(1) },
	{ "hard link at an ancestor", "sub/Dockerfile", ENTS(REG("x", "y"), HARD("sub", "x")),
	    POL_TAR_BAD, "a hard link at an ancestor of the Dockerfile", NULL, SAFE_HDR(1) },
	{ "file at an ancestor", "sub/Dockerfile", ENTS(REG("sub/Dockerfile", DF), REG("sub", "x")),
	    POL_TAR_BAD, "a file that is not a directory at an ancestor of the Dockerfile", NULL,
	    SAFE_HDR(1) },
	{ "fifo at an ancestor", "sub/Dockerfile", ENTS(TYPE('6', "sub")), POL_TAR_BAD,
	    "a file that is not a directory at an ancestor of the Dockerfile", NULL, SAFE_HDR(0) },
	{ "directory at the Dockerfile", "", ENTS(DIR("Dockerfile/")), POL_TAR_BAD,
	    "an entry at the Dockerfile that is not a regular file", NULL, SAFE_HDR(0) },
	{ "directory at the fallback", "", ENTS(REG("Dockerfile", DF), DIR("dockerfile")),
	    POL_TAR_BAD, "an entry at the Dockerfile that is not a regular file", NULL,
	    SAFE_HDR(1) },
	{ "fifo at the Dockerfile", "", ENTS(TYPE('6', "Dockerfile")), POL_TAR_BAD,
	    "an entry at the Dockerfile that is not a regular file", NULL, SAFE_HDR(0) },
	{ "device at the Dockerfile", "sub/Dockerfile", ENTS(TYPE('3', "sub/Dockerfile")),
	    POL_TAR_BAD, "an entry at the Dockerfile that is not a regular file", NULL,
	    SAFE_HDR(0) },
	{ "entry below the Dockerfile", "", ENTS(REG("Dockerfile", DF), REG("Dockerfile/x", "y")),
	    POL_TAR_BAD, "an entry below the Dockerfile", NULL, SAFE_HDR(1) },
	{ "old-style entry named as a directory", "",
	    ENTS({ '\0', "somedir/", NULL, 0, 0, NULL, NULL }), POL_TAR_BAD,
	    "an old-style file entry named as a directory", NULL, SAFE_HDR(0) },
	{ "Dockerfile too large", "",
	    ENTS(SIZED('0', "Dockerfile", POL_BUILD_DOCKERFILE_MAX + 1, 0)), POL_TAR_BAD,
	    "the Dockerfile is larger than 1 MiB", NULL, SAFE_HDR(0) },
	{ "Dockerfile at the limit", "",
	    ENTS(SIZED('0', "Dockerfile", POL_BUILD_DOCKERFILE_MAX, F_FILL), ZERO), POL_TAR_END, "",
	    DF_FILL, SAFE_HDR(1) },
	{ "other large file is skipped", "",
	    ENTS(SIZED('0', "big", POL_BUILD_DOCKERFILE_MAX + 3, F_FILL), REG("Dockerfile", DF),
	        ZERO),
	    POL_TAR_END, "", DF, SAFE_HDR(2) },

	/* ---- compression the daemon would detect ---- */
	{ "gzip body", "", ENTS(REG("\x1f\x8b\x08\x00rest", "x")), POL_TAR_BAD,
	    "it is compressed; send a plain tar (no --compress)", NULL, SAFE_HDR(0) },
	{ "zstd skippable frame body", "", ENTS(REG("\x5a\x2a\x4d\x18\x01\x01\x01\x01", "x")),
	    POL_TAR_BAD, "it is compressed; send a plain tar (no --compress)", NULL, SAFE_HDR(0) },
	{ "first name bzip2 after PAX", "", ENTS(PAX("path=BZh91"), REG("x", "y")), POL_TAR_BAD,
	    "a first file name the daemon would take for compressed data", NULL, SAFE_HDR(1) },
	{ "first name bzip2 after a slash", "", ENTS(REG("dir/BZh9", "x")), POL_TAR_BAD,
	    "a first file name the daemon would take for compressed data", NULL, SAFE_HDR(0) },
	{ "first name bzip2 once ASCII", "",
	    ENTS(REG("\xc3\xa9"
	             "BZh9",
	        "x")),
	    POL_TAR_BAD, "a first file name the daemon would take for compressed data", NULL,
	    SAFE_HDR(0) },
	{ "first name zstd frame", "", ENTS(PAX("path=a/\x28\xb5\x2f\xfd"), REG("x", "y")),
	    POL_TAR_BAD, "a first file name the daemon would take for compressed data", NULL,
	    SAFE_HDR(1) },

	/* ---- where the body ends ---- */
	{ "body ends inside a header", "", ENTS(REG("Dockerfile", DF), RAW("abc", 3)), POL_TAR_BAD,
	    "the body ends inside a header block", NULL, SAFE_HDR(1) },
	{ "body ends inside the data", "",
	    ENTS({ '0', "Dockerfile", "FROM", 13, F_NOPAD, NULL, NULL }), POL_TAR_BAD,
	    "the body ends inside an entry", NULL, SAFE_ALL },
	{ "body ends inside the padding", "", ENTS(REGF("Dockerfile", DF, F_NOPAD)), POL_TAR_BAD,
	    "the body ends inside an entry", NULL, SAFE_ALL },
};

/* ---- building tars ---------------------------------------------------------------- */

struct tbuf {
	unsigned char *p;
	size_t len, cap;
	size_t hdr_at[32];   /* where each entry's header block starts */
	size_t data_end[32]; /* where each entry's data ends */
};

static void
tb_put(struct tbuf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 1024;
		b->p = realloc(b->p, b->cap);
		assert_non_null(b->p);
	}
	if (n > 0)
		memcpy(b->p + b->len, p, n);
	b->len += n;
}

static void
put_octal(unsigned char *f, size_t n, unsigned long long v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%0*llo", (int)(n - 1), v);
	memcpy(f, tmp, n - 1);
	f[n - 1] = '\0';
}

/* "key=value" lines to "%d key=value\n" records. */
static size_t
pax_records(const char *lines, char *out, size_t outsz)
{
	const char *p = lines, *nl;
	size_t used = 0, len, n, d;
	char digits[24];

	while (*p != '\0') {
		nl = strchr(p, '\n');
		len = nl != NULL ? (size_t)(nl - p) : strlen(p);
		for (n = len + 3;; n = d + 1 + len + 1) {
			d = (size_t)snprintf(digits, sizeof(digits), "%zu", n);
			if (d + 1 + len + 1 == n)
				break;
		}
		assert_true(used + n <= outsz);
		used +=
		    (size_t)snprintf(out + used, outsz - used, "%s %.*s\n", digits, (int)len, p);
		p += len + (nl != NULL ? 1 : 0);
	}
	return used;
}

/* Appends one entry; returns how many data bytes it wrote, padding aside. */
static size_t
put_entry(struct tbuf *b, const struct ent *e)
{
	static const unsigned char zero[512];
	unsigned char h[512];
	char pax[1024];
	const char *data = e->data;
	size_t dlen, i;
	long sum = 0;
	unsigned char *fill = NULL;

	if (e->type == E_ZERO) {
		tb_put(b, zero, 512);
		return 0;
	}
	if (e->type == E_RAW) {
		tb_put(b, e->data, (size_t)e->size);
		return 0;
	}
	dlen = data != NULL ? strlen(data) : 0;
	if (e->flags & F_PAX) {
		dlen = pax_records(e->data, pax, sizeof(pax));
		data = pax;
	} else if (e->flags & F_NUL) {
		dlen = (size_t)e->size;
	} else if (e->flags & F_FILL) {
		dlen = (size_t)e->size;
		fill = malloc(dlen);
		assert_non_null(fill);
		memset(fill, 'x', dlen);
		data = (const char *)fill;
	}

	memset(h, 0, sizeof(h));
	memcpy(h, e->name, strnlen(e->name, 100));
	put_octal(h + 100, 8, 0644);
	put_octal(h + 108, 8, 0);
	put_octal(h + 116, 8, 0);
	put_octal(h + 124, 12, e->size >= 0 ? (unsigned long long)e->size : dlen);
	put_octal(h + 136, 12, 1700000000);
	h[156] = (unsigned char)e->type;
	if (e->link != NULL)
		memcpy(h + 157, e->link, strnlen(e->link, 100));
	if (e->flags & F_GNU) {
		memcpy(h + 257, "ustar  ", 8);
		if (e->prefix != NULL)
			memcpy(h + 345, e->prefix, strlen(e->prefix));
	} else if (!(e->flags & F_V7)) {
		memcpy(h + 257,
		    "ustar\0"
		    "00",
		    8);
		if (e->prefix != NULL)
			memcpy(h + 345, e->prefix, strlen(e->prefix));
	} else if (e->prefix != NULL) {
		memcpy(h + 345, e->prefix, strlen(e->prefix));
	}
	if (e->flags & F_STAR)
		memcpy(h + 508, "tar", 4);
	if (e->flags & F_B256) {
		memset(h + 124, 0, 12);
		h[124] = 0x80;
		h[135] = (unsigned char)dlen;
	}
	if (e->flags & F_B256UID) {
		memset(h + 108, 0, 8);
		h[108] = 0x80;
		h[115] = 7;
	}
	if (e->flags & F_BADMODE)
		memcpy(h + 100, "9\0\0\0\0\0\0", 8);
	if (e->flags & F_BADATIME)
		memcpy(h + 345, "zz", 2);
	if (e->flags & F_SIGNED)
		memset(h + 265, 0xff, 8); /* uname: the signed and unsigned sums differ */

	memset(h + 148, ' ', 8);
	for (i = 0; i < 512; i++)
		sum += (e->flags & F_SIGNED) ? (long)(signed char)h[i] : (long)h[i];
	if (e->flags & F_BADSUM)
		sum++;
	if (e->flags & F_SUMSPACE) {
		char tmp[16];

		snprintf(tmp, sizeof(tmp), "%7lo ", sum);
		memcpy(h + 148, tmp, 8);
	} else {
		put_octal(h + 148, 7, (unsigned long long)sum);
		h[155] = ' ';
	}
	tb_put(b, h, 512);
	if (data == NULL || e->type == '5' || e->type == '2' || e->type == '1')
		dlen = 0;
	tb_put(b, data, dlen);
	if (!(e->flags & F_NOPAD) && dlen % 512 != 0)
		tb_put(b, zero, 512 - dlen % 512);
	free(fill);
	return dlen;
}

static void
build(const struct row *r, struct tbuf *b)
{
	size_t i;

	memset(b, 0, sizeof(*b));
	for (i = 0; r->ents[i].type != E_END; i++) {
		assert_true(i < nitems(b->hdr_at));
		b->hdr_at[i] = b->len;
		b->data_end[i] = b->hdr_at[i] + 512 + put_entry(b, &r->ents[i]);
	}
}

static uint64_t
safe_offset(const struct row *r, const struct tbuf *b)
{
	if (r->want_safe == SAFE_ALL)
		return b->len;
	if (r->want_safe >= 1000)
		return b->data_end[r->want_safe - 1000];
	return b->hdr_at[r->want_safe];
}

/* ---- feeding ---------------------------------------------------------------------- */

enum mode {
	WHOLE,
	BYTES,
	PIECES,
};

static const char *const mode_names[] = { "whole", "byte by byte", "in pieces" };
static const size_t pieces[] = { 1, 7, 511, 3, 1024, 13, 512, 2, 700 };

struct result {
	enum pol_tar_status status;
	const char *error;
	uint64_t safe;
	size_t ndf;
	struct sw_str df[1];
};

/* Feeds body to a walker for arg; returns it (to free) with the result filled in. */
static struct pol_build_tar *
feed(const char *label, const char *arg, const unsigned char *body, size_t len, enum mode m,
    struct result *res)
{
	struct pol_build_tar *t = pol_build_tar_new(arg);
	size_t off = 0, n, k = 0;
	uint64_t last = 0, safe;
	enum pol_tar_status st = POL_TAR_MORE;

	if (t == NULL)
		fail_msg("%s: pol_build_tar_new(\"%s\") failed", label, arg);
	while (off < len) {
		n = m == WHOLE ? len - off : m == BYTES ? 1 : pieces[k++ % nitems(pieces)];
		if (n > len - off)
			n = len - off;
		st = pol_build_tar_feed(t, body + off, n);
		off += n;
		safe = pol_build_tar_safe(t);
		if (safe < last || safe > off)
			fail_msg("%s (%s): safe %llu after %llu, fed %zu", label, mode_names[m],
			    (unsigned long long)safe, (unsigned long long)last, off);
		last = safe;
		if (st != POL_TAR_MORE && m == WHOLE)
			break;
	}
	if (st == POL_TAR_MORE)
		st = pol_build_tar_finish(t);
	if (pol_build_tar_finish(t) != st || pol_build_tar_feed(t, "x", 1) != st)
		fail_msg("%s (%s): status changed after the end", label, mode_names[m]);
	res->status = st;
	res->error = pol_build_tar_error(t);
	res->safe = pol_build_tar_safe(t);
	res->ndf = pol_build_tar_dockerfile(t, &res->df[0]) ? 1 : 0;
	return t;
}

static void
check_df(const char *label, enum mode m, const struct result *res, const char *want)
{
	size_t i;

	if (want == NULL) {
		if (res->ndf != 0)
			fail_msg(
			    "%s (%s): %zu Dockerfiles, want none", label, mode_names[m], res->ndf);
		return;
	}
	if (res->ndf != 1)
		fail_msg("%s (%s): %zu Dockerfiles, want 1", label, mode_names[m], res->ndf);
	if (strcmp(want, DF_FILL) == 0) {
		if (res->df[0].len != POL_BUILD_DOCKERFILE_MAX)
			fail_msg("%s (%s): Dockerfile of %zu bytes", label, mode_names[m],
			    res->df[0].len);
		for (i = 0; i < res->df[0].len; i++)
			if (res->df[0].p[i] != 'x')
				fail_msg("%s (%s): Dockerfile byte %zu", label, mode_names[m], i);
		return;
	}
	if (!sw_str_eq_lit(&res->df[0], want))
		fail_msg("%s (%s): Dockerfile \"%.*s\", want \"%s\"", label, mode_names[m],
		    (int)res->df[0].len, res->df[0].p, want);
}

static void
test_build_tar_rows(void **state)
{
	struct pol_build_tar *t;
	struct result res;
	struct tbuf b;
	size_t i;
	int m;

	(void)state;
	for (i = 0; i < nitems(rows); i++) {
		const struct row *r = &rows[i];

		build(r, &b);
		for (m = WHOLE; m <= PIECES; m++) {
			t = feed(r->name, r->arg, b.p, b.len, (enum mode)m, &res);
			if (res.status != r->want || strcmp(res.error, r->want_error) != 0)
				fail_msg("%s (%s): status %d \"%s\", want %d \"%s\"", r->name,
				    mode_names[m], res.status, res.error, r->want, r->want_error);
			if (res.safe != safe_offset(r, &b))
				fail_msg("%s (%s): safe %llu, want %llu", r->name, mode_names[m],
				    (unsigned long long)res.safe,
				    (unsigned long long)safe_offset(r, &b));
			check_df(r->name, (enum mode)m, &res, r->want_df);
			pol_build_tar_free(t);
		}
		free(b.p);
	}
}

/*
 * Bodies that end before their first block is whole: a compressed one is
 * named as such (the daemon inflates what it has), any other is cut short.
 */
static void
test_build_tar_short_bodies(void **state)
{
	static const struct {
		const char *name;
		const char *body;
		size_t len;
		const char *want_error;
	} shorts[] = {
		{ "gzip", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03short", 15,
		    "it is compressed; send a plain tar (no --compress)" },
		{ "zstd magic alone", "\x28\xb5\x2f\xfd", 4,
		    "it is compressed; send a plain tar (no --compress)" },
		{ "xz",
		    "\xfd"
		    "7zXZ\x00\x00",
		    7, "it is compressed; send a plain tar (no --compress)" },
		{ "plain bytes", "Dockerfile", 10, "the body ends inside a header block" },
		{ "gzip magic cut short", "\x1f\x8b", 2, "the body ends inside a header block" },
	};
	size_t i, off;

	(void)state;
	for (i = 0; i < nitems(shorts); i++) {
		for (off = 0; off <= 1; off++) {
			struct pol_build_tar *t = pol_build_tar_new("");
			enum pol_tar_status st = POL_TAR_MORE;
			size_t k;

			assert_non_null(t);
			/* off 0: the body at once; 1: a byte at a time. */
			for (k = 0; k < shorts[i].len && st == POL_TAR_MORE;
			     k += off == 0 ? shorts[i].len : 1)
				st = pol_build_tar_feed(
				    t, shorts[i].body + k, off == 0 ? shorts[i].len : 1);
			if (st != POL_TAR_MORE)
				fail_msg("%s: status %d before the end", shorts[i].name, st);
			st = pol_build_tar_finish(t);
			if (st != POL_TAR_BAD ||
			    strcmp(pol_build_tar_error(t), shorts[i].want_error) != 0 ||
			    pol_build_tar_safe(t) != 0)
				fail_msg("%s: status %d \"%s\"", shorts[i].name, st,
				    pol_build_tar_error(t));
			pol_build_tar_free(t);
		}
	}
}

/* ---- the "dockerfile" argument ---------------------------------------------------- */

struct arg_row {
	const char *name;
	const char *arg;
	bool ok;
};

static const struct arg_row arg_rows[] = {
	{ "empty", "", true },
	{ "NULL is the default", NULL, true },
	{ "default name", "Dockerfile", true },
	{ "subdirectory", "sub/Dockerfile", true },
	{ "dot prefix", "./Dockerfile", true },
	{ "double slash and trailing slash", "sub//Dockerfile/", true },
	{ "absolute", "/Dockerfile", false },
	{ "climbs", "../Dockerfile", false },
	{ "dotdot inside", "a/../Dockerfile", false },
	{ "dotdot at the end", "a/..", false },
	{ "names the root", ".", false },
	{ "names the root with a slash", "./", false },
};

static void
test_build_tar_args(void **state)
{
	struct pol_build_tar *t;
	char longarg[4098];
	size_t i;

	(void)state;
	for (i = 0; i < nitems(arg_rows); i++) {
		const struct arg_row *r = &arg_rows[i];

		errno = 0;
		t = pol_build_tar_new(r->arg);
		if (r->ok && t == NULL)
			fail_msg("%s: refused", r->name);
		if (!r->ok && (t != NULL || errno != EINVAL))
			fail_msg("%s: accepted or errno %d", r->name, errno);
		pol_build_tar_free(t);
	}
	memset(longarg, 'a', sizeof(longarg) - 1);
	longarg[4096] = '\0';
	t = pol_build_tar_new(longarg);
	assert_non_null(t);
	pol_build_tar_free(t);
	longarg[4096] = 'a';
	longarg[4097] = '\0';
	errno = 0;
	assert_null(pol_build_tar_new(longarg));
	assert_int_equal(errno, EINVAL);
	pol_build_tar_free(NULL);
}

/* ---- limits too large for a row --------------------------------------------------- */

/* 65536 links are remembered; one more is refused. */
static void
test_build_tar_too_many_links(void **state)
{
	struct pol_build_tar *t = pol_build_tar_new("");
	struct tbuf b;
	struct ent e = SYM("", "x");
	char name[16];
	size_t i;

	(void)state;
	assert_non_null(t);
	memset(&b, 0, sizeof(b));
	for (i = 0; i <= 65536; i++) {
		snprintf(name, sizeof(name), "l%zu", i);
		e.name = name;
		b.len = 0;
		put_entry(&b, &e);
		if (pol_build_tar_feed(t, b.p, b.len) != (i < 65536 ? POL_TAR_MORE : POL_TAR_BAD))
			fail_msg("link %zu: status %s", i, pol_build_tar_error(t));
	}
	assert_string_equal(pol_build_tar_error(t), "too many links to check");
	free(b.p);
	pol_build_tar_free(t);
}

/* ---- tars made by real tools ------------------------------------------------------ */

static unsigned char *
read_data(const char *file, size_t *len)
{
	char path[512];
	unsigned char *p;
	long n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/build_tar/%s", SW_TEST_DATA_DIR, file);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("%s: %s", path, strerror(errno));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	p = malloc((size_t)n);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

struct real_row {
	const char *name;
	const char *file;
	const char *arg;
	const char *want_df;
};

static const struct real_row real_rows[] = {
	{ "python tarfile, PAX, long path", "python_pax.tar",
	    "ctx/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/"
	    "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb/Dockerfile",
	    "FROM busybox\nCOPY --from=alpine / /\n" },
	{ "python tarfile, other path", "python_pax.tar", "", NULL },
	{ "GNU tar, long name", "gnu.tar", "", "FROM debian\n" },
};

static void
test_build_tar_real(void **state)
{
	struct pol_build_tar *t;
	struct result res;
	unsigned char *body;
	size_t i, len;
	int m;

	(void)state;
	for (i = 0; i < nitems(real_rows); i++) {
		const struct real_row *r = &real_rows[i];

		body = read_data(r->file, &len);
		for (m = WHOLE; m <= PIECES; m++) {
			t = feed(r->name, r->arg, body, len, (enum mode)m, &res);
			if (res.status != POL_TAR_END)
				fail_msg("%s (%s): status %d \"%s\"", r->name, mode_names[m],
				    res.status, res.error);
			/* Both end with two zero blocks: safe stops at the first. */
			if (res.safe != len - 1024)
				fail_msg("%s (%s): safe %llu of %zu", r->name, mode_names[m],
				    (unsigned long long)res.safe, len);
			check_df(r->name, (enum mode)m, &res, r->want_df);
			pol_build_tar_free(t);
		}
		free(body);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_tar_rows),
		cmocka_unit_test(test_build_tar_short_bodies),
		cmocka_unit_test(test_build_tar_args),
		cmocka_unit_test(test_build_tar_too_many_links),
		cmocka_unit_test(test_build_tar_real),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
