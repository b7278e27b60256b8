/*
 * Tests for policy/json_strict.c and json_scan.c: the raw pre-scan (UTF-8,
 * "\u0000", surrogates, depth, trailing data, number literals), Go's key
 * folding, the schema check (duplicates under folding, misspelled keys,
 * unknown keys removed, strict kinds, null), the accessors, and the
 * canonical output being a fixed point.
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "json_strict.h"
#include "schema_container.h"

/* ---- a schema with every kind ------------------------------------------------- */

static const struct pol_jfield sub_fields[] = {
	{ "Key", PJ_STRING, PJ_ANY, NULL },
	{ "Mask", PJ_BOOL, PJ_ANY, NULL },
};
static const struct pol_jschema sub_schema = { "Sub", sub_fields, nitems(sub_fields) };

static const struct pol_jfield kind_fields[] = {
	{ "B", PJ_BOOL, PJ_ANY, NULL },
	{ "S", PJ_STRING, PJ_ANY, NULL },
	{ "I", PJ_INT, PJ_ANY, NULL },
	{ "U", PJ_UINT, PJ_ANY, NULL },
	{ "F", PJ_FLOAT, PJ_ANY, NULL },
	{ "A", PJ_ARRAY, PJ_STRING, NULL },
	{ "AI", PJ_ARRAY, PJ_INT, NULL },
	{ "M", PJ_MAP, PJ_STRING, NULL },
	{ "SS", PJ_STRSLICE, PJ_ANY, NULL },
	{ "X", PJ_ANY, PJ_ANY, NULL },
	{ "Sub", PJ_STRUCT, PJ_ANY, &sub_schema },
	{ "Subs", PJ_ARRAY, PJ_STRUCT, &sub_schema },
	{ "MS", PJ_MAP, PJ_STRUCT, &sub_schema },
	{ "MA", PJ_MAP, PJ_ARRAY, &sub_schema }, /* map[string][]Sub, as PortBindings */
	{ "Kind", PJ_STRING, PJ_ANY, NULL },
	{ "Size", PJ_INT, PJ_ANY, NULL },
};
static const struct pol_jschema kind_schema = { "Kinds", kind_fields, nitems(kind_fields) };

enum which { PARSE_ONLY, KINDS, HOSTCONFIG, CONFIG, WRAPPER, CREATE, UPDATE };

static const struct pol_jschema *
schema_of(enum which w)
{
	switch (w) {
	case KINDS:
		return &kind_schema;
	case HOSTCONFIG:
		return &pol_schema_host_config;
	case CONFIG:
		return &pol_schema_config;
	case WRAPPER:
		return &pol_schema_create_wrapper;
	case CREATE:
		return &pol_schema_create_request;
	case UPDATE:
		return &pol_schema_update_config;
	case PARSE_ONLY:
		break;
	}
	return NULL;
}

/* ---- the table ------------------------------------------------------------------- */

struct js_case {
	const char *name;
	const char *body;
	size_t len; /* 0: strlen(body); for bodies holding NUL bytes */
	enum which schema;
	bool ok;
	const char *want; /* ok: the compact output (NULL: not compared); else: error substring */
};

#define OK(out)    true, (out)
#define ERR(what)  false, (what)
#define HC         HOSTCONFIG
#define LONG_S     "\xc5\xbf"     /* U+017F, folds to s */
#define KELVIN     "\xe2\x84\xaa" /* U+212A, folds to k */
#define DOTLESS_I  "\xc4\xb1"     /* U+0131, folds to nothing ASCII */
#define NEST64_ARR "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
#define CLOSE64    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"

static struct js_case js_cases[] = {
	/* grammar: what Go accepts */
	{ "empty object", "{}", 0, PARSE_ONLY, OK("{}") },
	{ "empty array", "[]", 0, PARSE_ONLY, OK("[]") },
	{ "a scalar root", "true", 0, PARSE_ONLY, OK("true") },
	{ "null root", "null", 0, PARSE_ONLY, OK("null") },
	{ "string root", "\"x\"", 0, PARSE_ONLY, OK("\"x\"") },
	{ "leading and trailing whitespace", " \t\r\n{ \"a\" : [ 1 , 2 ] }\n\r\t ", 0, PARSE_ONLY,
	    OK("{\"a\":[1,2]}") },
	{ "escapes decoded and re-encoded", "[\"a\\u0041\\n\\/\\\"\"]", 0, PARSE_ONLY,
	    OK("[\"aA\\n/\\\"\"]") },
	{ "surrogate pair", "[\"\\ud83d\\ude00\"]", 0, PARSE_ONLY, OK("[\"\xf0\x9f\x98\x80\"]") },
	{ "surrogate pair upper-case hex", "[\"\\uD83D\\uDE00\"]", 0, PARSE_ONLY,
	    OK("[\"\xf0\x9f\x98\x80\"]") },
	{ "valid UTF-8 kept", "[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]", 0, PARSE_ONLY,
	    OK("[\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"]") },
	{ "control escape \\u0001 kept", "[\"\\u0001\"]", 0, PARSE_ONLY, OK("[\"\\u0001\"]") },
	{ "depth 64 accepted", NEST64_ARR CLOSE64, 0, PARSE_ONLY, OK(NULL) },
	/* numbers keep their text */
	{ "number literals verbatim", "[1.0,1e3,1E+3,-0,0.5e-2,12345678901234567890]", 0,
	    PARSE_ONLY, OK("[1.0,1e3,1E+3,-0,0.5e-2,12345678901234567890]") },
	{ "numbers paired in document order", "{\"a\":[1,{\"b\":2.50}],\"c\":-3}", 0, PARSE_ONLY,
	    OK("{\"a\":[1,{\"b\":2.50}],\"c\":-3}") },
	{ "number of 70 digits verbatim",
	    "[1234567890123456789012345678901234567890123456789012345678901234567890]", 0,
	    PARSE_ONLY,
	    OK("[1234567890123456789012345678901234567890123456789012345678901234567890]") },
	/* strings are read and written a word (8 bytes) at a time: escapes on every side */
	{ "long plain strings",
	    "{\"abcdefghijklmnopqrstuvwx\":\"abcdefghijklmnopqrstuvwxyz0123456789\"}", 0,
	    PARSE_ONLY,
	    OK("{\"abcdefghijklmnopqrstuvwx\":\"abcdefghijklmnopqrstuvwxyz0123456789\"}") },
	{ "escapes after whole words", "[\"abcdefgh\\nijklmnop\\\"q\\\\\"]", 0, PARSE_ONLY,
	    OK("[\"abcdefgh\\nijklmnop\\\"q\\\\\"]") },
	{ "control escape at a word's end", "[\"abcdefg\\u001f12345678\\u0002\"]", 0, PARSE_ONLY,
	    OK("[\"abcdefg\\u001f12345678\\u0002\"]") },
	{ "solidus escape after a word", "[\"abcdefgh\\/ijklmnop\"]", 0, PARSE_ONLY,
	    OK("[\"abcdefgh/ijklmnop\"]") },
	{ "UTF-8 after a word", "[\"abcdefgh\xc3\xa9ijklmnop\xf0\x9f\x98\x80\"]", 0, PARSE_ONLY,
	    OK("[\"abcdefgh\xc3\xa9ijklmnop\xf0\x9f\x98\x80\"]") },
	{ "DEL is not escaped", "[\"abcdefgh\x7fijklmnop\"]", 0, PARSE_ONLY,
	    OK("[\"abcdefgh\x7fijklmnop\"]") },
	/* grammar: refused */
	{ "empty body", "", 0, PARSE_ONLY, ERR("empty body") },
	{ "whitespace only", "  \n", 0, PARSE_ONLY, ERR("end of input") },
	{ "trailing brace (Go's dec.More accepts)", "{}}", 0, PARSE_ONLY, ERR("after the JSON") },
	{ "trailing bracket", "{}]", 0, PARSE_ONLY, ERR("after the JSON") },
	{ "second value", "{} {}", 0, PARSE_ONLY, ERR("after the JSON") },
	{ "trailing garbage", "{}x", 0, PARSE_ONLY, ERR("after the JSON") },
	{ "trailing NUL byte", "{}\0", 3, PARSE_ONLY, ERR("after the JSON") },
	{ "two scalars", "1 2", 0, PARSE_ONLY, ERR("after the JSON") },
	{ "raw NUL inside a string", "[\"a\0b\"]", 7, PARSE_ONLY, ERR("control character") },
	{ "raw tab inside a string", "[\"a\tb\"]", 0, PARSE_ONLY, ERR("control character") },
	{ "\\u0000 in a value", "{\"a\":\"x\\u0000y\"}", 0, PARSE_ONLY, ERR("\\u0000") },
	{ "\\u0000 in a key", "{\"Privileged\\u0000x\":true}", 0, PARSE_ONLY, ERR("\\u0000") },
	{ "lone high surrogate", "[\"\\ud800\"]", 0, PARSE_ONLY, ERR("surrogate") },
	{ "lone high surrogate then letter", "[\"\\uD800\\u0041\"]", 0, PARSE_ONLY,
	    ERR("surrogate") },
	{ "lone low surrogate", "[\"\\udc00\"]", 0, PARSE_ONLY, ERR("surrogate") },
	{ "reversed surrogate pair", "[\"\\ude00\\ud83d\"]", 0, PARSE_ONLY, ERR("surrogate") },
	{ "high surrogate at the end", "[\"\\udbff", 0, PARSE_ONLY, ERR("surrogate") },
	{ "short \\u escape", "[\"\\u12\"]", 0, PARSE_ONLY, ERR("\\u escape") },
	{ "upper-case \\U escape", "[\"\\U0041\"]", 0, PARSE_ONLY, ERR("bad escape") },
	{ "\\x escape", "[\"\\x41\"]", 0, PARSE_ONLY, ERR("bad escape") },
	{ "invalid UTF-8 byte", "[\"\xff\"]", 0, PARSE_ONLY, ERR("UTF-8") },
	{ "UTF-8 continuation alone", "[\"\x80\"]", 0, PARSE_ONLY, ERR("UTF-8") },
	{ "overlong slash", "[\"\xc0\xaf\"]", 0, PARSE_ONLY, ERR("UTF-8") },
	{ "overlong three bytes", "[\"\xe0\x80\xaf\"]", 0, PARSE_ONLY, ERR("UTF-8") },
	{ "UTF-8 encoded surrogate", "[\"\xed\xa0\x80\"]", 0, PARSE_ONLY, ERR("UTF-8") },
	{ "above U+10FFFF", "[\"\xf4\x90\x80\x80\"]", 0, PARSE_ONLY, ERR("UTF-8") },
	{ "truncated sequence", "[\"\xe2\x82\"]", 0, PARSE_ONLY, ERR("UTF-8") },
	{ "invalid UTF-8 after two words", "[\"abcdefghijklmnop\xff\"]", 0, PARSE_ONLY,
	    ERR("offset 18: invalid UTF-8") },
	{ "control character after two words", "[\"abcdefghijklmnop\x01\"]", 0, PARSE_ONLY,
	    ERR("offset 18: control character") },
	{ "unterminated long string", "[\"abcdefghijklmnopqrstuvwxyz", 0, PARSE_ONLY,
	    ERR("unterminated") },
	{ "invalid UTF-8 in a key", "{\"Privileged\xff\":true}", 0, PARSE_ONLY, ERR("UTF-8") },
	{ "invalid UTF-8 outside strings", "{\xc3\xa9:1}", 0, PARSE_ONLY, ERR("string key") },
	{ "byte order mark", "\xef\xbb\xbf{}", 0, PARSE_ONLY, ERR("unexpected character") },
	{ "depth 65 refused", "[" NEST64_ARR CLOSE64 "]", 0, PARSE_ONLY, ERR("too deep") },
	{ "deep objects refused", "{\"a\":" NEST64_ARR CLOSE64 "}", 0, PARSE_ONLY,
	    ERR("too deep") },
	{ "unterminated string", "[\"abc", 0, PARSE_ONLY, ERR("unterminated") },
	{ "unterminated object", "{\"a\":1", 0, PARSE_ONLY, ERR("expected ','") },
	{ "trailing comma in object", "{\"a\":1,}", 0, PARSE_ONLY, ERR("string key") },
	{ "trailing comma in array", "[1,]", 0, PARSE_ONLY, ERR("unexpected character") },
	{ "single quotes", "{'a':1}", 0, PARSE_ONLY, ERR("string key") },
	{ "comment", "{/*x*/}", 0, PARSE_ONLY, ERR("string key") },
	{ "NaN", "[NaN]", 0, PARSE_ONLY, ERR("unexpected character") },
	{ "leading zero", "[01]", 0, PARSE_ONLY, ERR("expected ','") },
	{ "plus sign", "[+1]", 0, PARSE_ONLY, ERR("unexpected character") },
	{ "bare minus", "[-]", 0, PARSE_ONLY, ERR("bad number") },
	{ "dot without digits", "[1.]", 0, PARSE_ONLY, ERR("bad number") },
	{ "leading dot", "[.5]", 0, PARSE_ONLY, ERR("unexpected character") },
	{ "exponent without digits", "[1e]", 0, PARSE_ONLY, ERR("bad number") },
	{ "capitalised literal", "[True]", 0, PARSE_ONLY, ERR("unexpected character") },
	{ "truncated literal", "[nul]", 0, PARSE_ONLY, ERR("unexpected character") },
	{ "missing colon", "{\"a\" 1}", 0, PARSE_ONLY, ERR("expected ':'") },
	/* kinds */
	{ "every kind",
	    "{\"B\":true,\"S\":\"s\",\"I\":-7,\"U\":7,\"F\":1.5e3,\"A\":[\"a\"],"
	    "\"M\":{\"k\":\"v\"},\"SS\":\"one\",\"X\":{\"any\":[1,{}]}}",
	    0, KINDS,
	    OK("{\"B\":true,\"S\":\"s\",\"I\":-7,\"U\":7,\"F\":1.5e3,\"A\":[\"a\"],"
	       "\"M\":{\"k\":\"v\"},\"SS\":\"one\",\"X\":{\"any\":[1,{}]}}") },
	{ "null for every kind",
	    "{\"B\":null,\"S\":null,\"I\":null,\"U\":null,\"F\":null,"
	    "\"A\":null,\"M\":null,\"SS\":null,\"Sub\":null,\"Subs\":null}",
	    0, KINDS, OK(NULL) },
	{ "null elements", "{\"A\":[null],\"Subs\":[null],\"MS\":{\"a\":null}}", 0, KINDS,
	    OK("{\"A\":[null],\"Subs\":[null],\"MS\":{\"a\":null}}") },
	{ "bool from a number", "{\"B\":1}", 0, KINDS, ERR("B: expected a boolean") },
	{ "bool from a string", "{\"B\":\"true\"}", 0, KINDS, ERR("B: expected a boolean") },
	{ "string from a number", "{\"S\":1}", 0, KINDS, ERR("S: expected a string") },
	{ "string from an array", "{\"S\":[\"a\"]}", 0, KINDS, ERR("S: expected a string") },
	{ "int from a fraction", "{\"I\":1.0}", 0, KINDS, ERR("I: expected an integer") },
	{ "int from an exponent", "{\"I\":1e3}", 0, KINDS, ERR("I: expected an integer") },
	{ "int from a string", "{\"I\":\"1\"}", 0, KINDS, ERR("I: expected an integer") },
	{ "int64 max", "{\"I\":9223372036854775807}", 0, KINDS, OK(NULL) },
	{ "int64 min", "{\"I\":-9223372036854775808}", 0, KINDS, OK(NULL) },
	{ "int64 max + 1", "{\"I\":9223372036854775808}", 0, KINDS, ERR("out of range") },
	{ "int64 min - 1", "{\"I\":-9223372036854775809}", 0, KINDS, ERR("out of range") },
	{ "huge int", "{\"I\":123456789012345678901234567890}", 0, KINDS, ERR("out of range") },
	{ "minus zero int", "{\"I\":-0}", 0, KINDS, OK("{\"I\":-0}") },
	{ "uint negative", "{\"U\":-1}", 0, KINDS, ERR("U: expected a non-negative integer") },
	{ "uint minus zero", "{\"U\":-0}", 0, KINDS, ERR("U: expected a non-negative integer") },
	{ "uint64 max", "{\"U\":18446744073709551615}", 0, KINDS, OK(NULL) },
	{ "uint64 max + 1", "{\"U\":18446744073709551616}", 0, KINDS, ERR("out of range") },
	{ "float takes an exponent", "{\"F\":-2.5E-3}", 0, KINDS, OK("{\"F\":-2.5E-3}") },
	{ "float from a string", "{\"F\":\"1\"}", 0, KINDS, ERR("F: expected a number") },
	{ "array from a string", "{\"A\":\"a\"}", 0, KINDS, ERR("A: expected an array") },
	{ "array element type", "{\"A\":[\"a\",1]}", 0, KINDS, ERR("A[1]: expected a string") },
	{ "int array element", "{\"AI\":[1,2.5]}", 0, KINDS, ERR("AI[1]: expected an integer") },
	{ "map from an array", "{\"M\":[]}", 0, KINDS, ERR("M: expected an object") },
	{ "map value type", "{\"M\":{\"k\":1}}", 0, KINDS, ERR("M[\"k\"]: expected a string") },
	{ "map keys are exact: case variants kept", "{\"M\":{\"k\":\"1\",\"K\":\"2\"}}", 0, KINDS,
	    OK("{\"M\":{\"k\":\"1\",\"K\":\"2\"}}") },
	{ "map exact duplicate", "{\"M\":{\"k\":\"1\",\"k\":\"2\"}}", 0, KINDS,
	    ERR("M: a key is repeated") },
	{ "map duplicate through an escape", "{\"M\":{\"k\":\"1\",\"\\u006b\":\"2\"}}", 0, KINDS,
	    ERR("M: a key is repeated") },
	{ "strslice string", "{\"SS\":\"a b\"}", 0, KINDS, OK("{\"SS\":\"a b\"}") },
	{ "strslice array", "{\"SS\":[\"a\",\"b\"]}", 0, KINDS, OK(NULL) },
	{ "strslice number", "{\"SS\":1}", 0, KINDS, ERR("SS: expected a string or an array") },
	{ "strslice element", "{\"SS\":[true]}", 0, KINDS, ERR("SS[0]: expected a string") },
	{ "struct from an array", "{\"Sub\":[]}", 0, KINDS, ERR("Sub: expected an object") },
	{ "struct in an array", "{\"Subs\":[{\"Key\":1}]}", 0, KINDS,
	    ERR("Subs[0].Key: expected a string") },
	{ "struct in a map", "{\"MS\":{\"a\":{\"Mask\":\"no\"}}}", 0, KINDS,
	    ERR("MS[\"a\"].Mask: expected a boolean") },
	{ "arrays of structs in a map", "{\"MA\":{\"a\":[{\"Key\":\"x\"},null],\"b\":null}}", 0,
	    KINDS, OK("{\"MA\":{\"a\":[{\"Key\":\"x\"},null],\"b\":null}}") },
	{ "struct in an array in a map", "{\"MA\":{\"a\":[{\"Mask\":1}]}}", 0, KINDS,
	    ERR("MA[\"a\"][0].Mask: expected a boolean") },
	{ "struct in an array in a map, folded key", "{\"MA\":{\"a\":[{\"mask\":true}]}}", 0, KINDS,
	    ERR("must be spelled \"Mask\"") },
	{ "array in a map from an object", "{\"MA\":{\"a\":{\"Key\":\"x\"}}}", 0, KINDS,
	    ERR("MA[\"a\"]: expected an array") },
	{ "array in a map, element a string", "{\"MA\":{\"a\":[\"x\"]}}", 0, KINDS,
	    ERR("MA[\"a\"][0]: expected an object") },
	{ "arrays in a map, exact duplicate key", "{\"MA\":{\"a\":[],\"a\":[]}}", 0, KINDS,
	    ERR("MA: a key is repeated") },
	{ "any passes through", "{\"X\":[1.0,\"a\",{\"b\":null}]}", 0, KINDS,
	    OK("{\"X\":[1.0,\"a\",{\"b\":null}]}") },
	/* keys: Go folding, refused unless spelled exactly */
	{ "exact key", "{\"Sub\":{\"Key\":\"a\"}}", 0, KINDS, OK("{\"Sub\":{\"Key\":\"a\"}}") },
	{ "lower-case key", "{\"Sub\":{\"key\":\"a\"}}", 0, KINDS,
	    ERR("Sub: key \"key\" must be spelled \"Key\"") },
	{ "upper-case key", "{\"SUB\":{}}", 0, KINDS, ERR("key \"SUB\" must be spelled \"Sub\"") },
	{ "long s folds to s", "{\"" LONG_S "ub\":{}}", 0, KINDS, ERR("must be spelled \"Sub\"") },
	{ "Kelvin folds to k", "{\"Sub\":{\"" KELVIN "ey\":\"a\"}}", 0, KINDS,
	    ERR("must be spelled \"Key\"") },
	{ "Kelvin in the middle", "{\"Sub\":{\"Mas" KELVIN "\":true}}", 0, KINDS,
	    ERR("must be spelled \"Mask\"") },
	{ "escaped exact key is exact", "{\"\\u0053ub\":{\"\\u004bey\":\"v\"}}", 0, KINDS,
	    OK("{\"Sub\":{\"Key\":\"v\"}}") },
	{ "escaped lower-case key", "{\"\\u0073ub\":{}}", 0, KINDS, ERR("must be spelled") },
	{ "escaped long s", "{\"\\u017fub\":{}}", 0, KINDS, ERR("must be spelled") },
	{ "escaped Kelvin", "{\"Sub\":{\"\\u212aey\":\"\"}}", 0, KINDS, ERR("must be spelled") },
	{ "dotless i is not i", "{\"K" DOTLESS_I "nd\":\"x\"}", 0, KINDS, OK("{}") },
	{ "duplicate key", "{\"S\":\"a\",\"S\":\"b\"}", 0, KINDS, ERR("key \"S\" is repeated") },
	{ "duplicate null then value", "{\"B\":null,\"B\":true}", 0, KINDS, ERR("is repeated") },
	{ "duplicate object (Go merges)", "{\"Sub\":{\"Key\":\"a\"},\"Sub\":{\"Mask\":true}}", 0,
	    KINDS, ERR("is repeated") },
	{ "case-variant duplicate", "{\"Sub\":{},\"sub\":{}}", 0, KINDS, ERR("must be spelled") },
	{ "case-variant duplicate, variant first", "{\"sub\":{},\"Sub\":{}}", 0, KINDS,
	    ERR("must be spelled") },
	{ "duplicate inside an array element", "{\"Subs\":[{\"Key\":\"a\",\"Key\":\"b\"}]}", 0,
	    KINDS, ERR("Subs[0]: key \"Key\" is repeated") },
	{ "unknown keys removed", "{\"Nope\":1,\"S\":\"a\",\"Other\":{\"B\":true}}", 0, KINDS,
	    OK("{\"S\":\"a\"}") },
	{ "unknown nested keys removed", "{\"Sub\":{\"Key\":\"a\",\"Extra\":[1]}}", 0, KINDS,
	    OK("{\"Sub\":{\"Key\":\"a\"}}") },
	{ "unknown non-ASCII key removed", "{\"S\xc3\xa9\":1,\"S\":\"x\"}", 0, KINDS,
	    OK("{\"S\":\"x\"}") },
	{ "struct root must be an object", "[]", 0, KINDS, ERR("body: expected an object") },
	{ "struct root null refused", "null", 0, KINDS, ERR("body: expected an object") },
	{ "struct root string refused", "\"x\"", 0, KINDS, ERR("body: expected an object") },
	/* the container types */
	{ "HostConfig: Privileged", "{\"Privileged\":true}", 0, HC, OK("{\"Privileged\":true}") },
	{ "HostConfig: privileged", "{\"privileged\":true}", 0, HC, ERR("must be spelled") },
	{ "HostConfig: PRIVILEGED", "{\"PRIVILEGED\":true}", 0, HC, ERR("must be spelled") },
	{ "HostConfig: Privil\\u0065ged is exact", "{\"Privil\\u0065ged\":true}", 0, HC,
	    OK("{\"Privileged\":true}") },
	{ "HostConfig: privil\\u0065ged", "{\"privil\\u0065ged\":true}", 0, HC,
	    ERR("must be spelled") },
	{ "HostConfig: Bind" LONG_S, "{\"Bind" LONG_S "\":[\"/:/h\"]}", 0, HC,
	    ERR("must be spelled \"Binds\"") },
	{ "HostConfig: " LONG_S "ecurityOpt", "{\"" LONG_S "ecurityOpt\":[]}", 0, HC,
	    ERR("must be spelled \"SecurityOpt\"") },
	{ "HostConfig: Mas" KELVIN "edPaths", "{\"Mas" KELVIN "edPaths\":[]}", 0, HC,
	    ERR("must be spelled \"MaskedPaths\"") },
	{ "HostConfig: Lin" KELVIN "s", "{\"Lin" KELVIN "s\":[]}", 0, HC,
	    ERR("must be spelled \"Links\"") },
	{ "HostConfig: U" LONG_S "ernsMode", "{\"U" LONG_S "ernsMode\":\"host\"}", 0, HC,
	    ERR("must be spelled \"UsernsMode\"") },
	{ "HostConfig: Privileged twice", "{\"Privileged\":false,\"Privileged\":true}", 0, HC,
	    ERR("is repeated") },
	{ "HostConfig: Privileged then privileged", "{\"Privileged\":false,\"privileged\":true}", 0,
	    HC, ERR("must be spelled") },
	{ "HostConfig: Privileged 1", "{\"Privileged\":1}", 0, HC,
	    ERR("Privileged: expected a boolean") },
	{ "HostConfig: Memory 1.0", "{\"Memory\":1.0}", 0, HC, ERR("Memory: expected an integer") },
	{ "HostConfig: Memory 1e3", "{\"Memory\":1e3}", 0, HC, ERR("Memory: expected an integer") },
	{ "HostConfig: Memory huge", "{\"Memory\":99999999999999999999}", 0, HC,
	    ERR("out of range") },
	{ "HostConfig: BlkioWeight negative", "{\"BlkioWeight\":-1}", 0, HC,
	    ERR("expected a non-negative integer") },
	{ "HostConfig: Resources key is unknown", "{\"Resources\":{\"Memory\":1}}", 0, HC,
	    OK("{}") },
	{ "HostConfig: flattened Resources", "{\"Memory\":1,\"PidsLimit\":null,\"Devices\":[]}", 0,
	    HC, OK("{\"Memory\":1,\"PidsLimit\":null,\"Devices\":[]}") },
	{ "HostConfig: CapAdd as a string (StrSlice)", "{\"CapAdd\":\"SYS_ADMIN\"}", 0, HC,
	    OK(NULL) },
	{ "HostConfig: Binds as a string", "{\"Binds\":\"/:/h\"}", 0, HC,
	    ERR("Binds: expected an array") },
	{ "HostConfig: lower-case Mounts keys", "{\"Mounts\":[{\"type\":\"bind\"}]}", 0, HC,
	    ERR("Mounts[0]: key \"type\" must be spelled \"Type\"") },
	{ "HostConfig: lower-case BindOptions key",
	    "{\"Mounts\":[{\"Type\":\"bind\",\"BindOptions\":{\"propagation\":\"shared\"}}]}", 0,
	    HC, ERR("BindOptions: key \"propagation\"") },
	{ "HostConfig: DriverConfig spelled driverconfig",
	    "{\"Mounts\":[{\"Type\":\"volume\",\"VolumeOptions\":{\"driverconfig\":{}}}]}", 0, HC,
	    ERR("must be spelled \"DriverConfig\"") },
	{ "HostConfig: Sysctls repeated key", "{\"Sysctls\":{\"a\":\"1\",\"a\":\"2\"}}", 0, HC,
	    ERR("Sysctls: a key is repeated") },
	{ "HostConfig: LogConfig.Config value type", "{\"LogConfig\":{\"Config\":{\"a\":1}}}", 0,
	    HC, ERR("LogConfig.Config[\"a\"]: expected a string") },
	{ "HostConfig: ClusterOptions keys dropped",
	    "{\"Mounts\":[{\"Type\":\"cluster\",\"ClusterOptions\":{\"x\":1}}]}", 0, HC,
	    OK("{\"Mounts\":[{\"Type\":\"cluster\",\"ClusterOptions\":{}}]}") },
	{ "HostConfig: ConsoleSize negative", "{\"ConsoleSize\":[-1,2]}", 0, HC,
	    ERR("ConsoleSize[0]") },
	{ "HostConfig: PortBindings",
	    "{\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\",\"X\":1}]}}", 0,
	    HC, OK("{\"PortBindings\":{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"8080\"}]}}") },
	{ "HostConfig: PortBindings HostPort a number",
	    "{\"PortBindings\":{\"80/tcp\":[{\"HostPort\":80}]}}", 0, HC,
	    ERR("PortBindings[\"80/tcp\"][0].HostPort: expected a string") },
	{ "HostConfig: PortBindings Ho" LONG_S "tIp",
	    "{\"PortBindings\":{\"80/tcp\":[{\"Ho" LONG_S "tIp\":\"0.0.0.0\"}]}}", 0, HC,
	    ERR("must be spelled \"HostIp\"") },
	{ "Config: Cmd string or array", "{\"Cmd\":\"sh\",\"Entrypoint\":[\"a\"]}", 0, CONFIG,
	    OK(NULL) },
	{ "Config: Labels repeated", "{\"Labels\":{\"a\":\"1\",\"a\":\"1\"}}", 0, CONFIG,
	    ERR("Labels: a key is repeated") },
	{ "Config: Healthcheck interval float", "{\"Healthcheck\":{\"Interval\":1.5}}", 0, CONFIG,
	    ERR("Healthcheck.Interval: expected an integer") },
	{ "create: top-level HostConfig fields unknown (>= 27)",
	    "{\"Image\":\"a\",\"Privileged\":true,\"Binds\":[\"/:/h\"]}", 0, CREATE,
	    OK("{\"Image\":\"a\"}") },
	{ "create: hostconfig lower-case", "{\"Image\":\"a\",\"hostconfig\":{}}", 0, CREATE,
	    ERR("must be spelled \"HostConfig\"") },
	{ "create: Ho" LONG_S "tConfig", "{\"Image\":\"a\",\"Ho" LONG_S "tConfig\":{}}", 0, CREATE,
	    ERR("must be spelled \"HostConfig\"") },
	{ "create: nested privileged", "{\"HostConfig\":{\"privileged\":true}}", 0, CREATE,
	    ERR("HostConfig: key \"privileged\"") },
	{ "create: NetworkingConfig endpoint keys",
	    "{\"NetworkingConfig\":{\"EndpointsConfig\":{\"n\":{\"aliases\":[]}}}}", 0, CREATE,
	    ERR("must be spelled \"Aliases\"") },
	{ "wrapper: top-level HostConfig fields known (<= 26)",
	    "{\"Image\":\"a\",\"Privileged\":true,\"Cpuset\":\"0\"}", 0, WRAPPER,
	    OK("{\"Image\":\"a\",\"Privileged\":true,\"Cpuset\":\"0\"}") },
	{ "wrapper: top-level PortBindings typed",
	    "{\"PortBindings\":{\"80/tcp\":[{\"HostIp\":1}]}}", 0, WRAPPER,
	    ERR("PortBindings[\"80/tcp\"][0].HostIp: expected a string") },
	{ "wrapper: top-level privileged misspelt", "{\"privileged\":true}", 0, WRAPPER,
	    ERR("must be spelled \"Privileged\"") },
	{ "wrapper: top-level and inner are different keys",
	    "{\"Privileged\":true,\"HostConfig\":{\"Privileged\":false}}", 0, WRAPPER, OK(NULL) },
	{ "update: Resources and RestartPolicy",
	    "{\"Memory\":1,\"RestartPolicy\":{\"Name\":\"always\"},\"Privileged\":true}", 0, UPDATE,
	    OK("{\"Memory\":1,\"RestartPolicy\":{\"Name\":\"always\"}}") },
};

static void
test_js_row(void **state)
{
	const struct js_case *c = *state;
	struct sw_str body = sw_str_make(c->body, c->len ? c->len : strlen(c->body));
	struct pol_jdoc doc = { NULL };
	struct pol_err err;
	const struct pol_jschema *s = schema_of(c->schema);
	char *out = NULL;
	size_t len = 0;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = pol_json_parse(&body, &doc, &err);
	if (rc == 0 && s != NULL)
		rc = pol_json_check(doc.root, s, "", &err);
	if (rc == 0)
		out = pol_json_print(doc.root, &len);
	if (c->ok && rc != 0)
		fail_msg("row \"%s\": refused: %s", c->name, err.msg);
	if (!c->ok && rc == 0) {
		fail_msg("row \"%s\": accepted as %s, want an error with \"%s\"", c->name,
		    out ? out : "?", c->want);
	} else if (!c->ok && strstr(err.msg, c->want) == NULL) {
		fail_msg("row \"%s\": error \"%s\", want \"%s\"", c->name, err.msg, c->want);
	} else if (c->ok && c->want != NULL && (out == NULL || strcmp(out, c->want) != 0)) {
		fail_msg("row \"%s\": output %s, want %s", c->name, out ? out : "NULL", c->want);
	}
	if (rc == 0 && (out == NULL || len != strlen(out)))
		fail_msg("row \"%s\": no output", c->name);
	free(out);
	pol_json_free(&doc);
}

/* ---- fixed point: parse(print(x)) prints as print(x) ------------------------------- */

static void
test_js_fixed_point(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < nitems(js_cases); i++) {
		const struct js_case *c = &js_cases[i];
		struct sw_str body = sw_str_make(c->body, c->len ? c->len : strlen(c->body)), again;
		struct pol_jdoc d1 = { NULL }, d2 = { NULL };
		struct pol_err err;
		char *o1, *o2;

		if (pol_json_parse(&body, &d1, &err) != 0)
			continue;
		if (schema_of(c->schema) && pol_json_check(d1.root, schema_of(c->schema), "", &err))
			goto next;
		o1 = pol_json_print(d1.root, NULL);
		assert_non_null(o1);
		again = sw_str_cstr(o1);
		if (pol_json_parse(&again, &d2, &err) != 0)
			fail_msg("row \"%s\": own output refused: %s", c->name, err.msg);
		o2 = pol_json_print(d2.root, NULL);
		if (o2 == NULL || strcmp(o1, o2) != 0)
			fail_msg("row \"%s\": %s re-prints as %s", c->name, o1, o2 ? o2 : "NULL");
		free(o1);
		free(o2);
		pol_json_free(&d2);
next:
		pol_json_free(&d1);
	}
}

/* ---- pol_json_key_folds_to ------------------------------------------------------------ */

struct fold_case {
	const char *name;
	const char *key, *field;
	bool want;
};

static struct fold_case fold_cases[] = {
	{ "fold: exact", "HostConfig", "HostConfig", true },
	{ "fold: all lower", "hostconfig", "HostConfig", true },
	{ "fold: all upper", "HOSTCONFIG", "HostConfig", true },
	{ "fold: long s", "Ho" LONG_S "tConfig", "HostConfig", true },
	{ "fold: long s for upper S", LONG_S "ecurityOpt", "SecurityOpt", true },
	{ "fold: Kelvin for k", "Lin" KELVIN "s", "Links", true },
	{ "fold: Kelvin for K", KELVIN "ernelMemory", "KernelMemory", true },
	{ "fold: dotless i is not i", "Pr" DOTLESS_I "vileged", "Privileged", false },
	{ "fold: capital I with dot is not i", "Pr\xc4\xb0vileged", "Privileged", false },
	{ "fold: e acute is not e", "Privil\xc3\xa9ged", "Privileged", false },
	{ "fold: longer", "HostConfigs", "HostConfig", false },
	{ "fold: shorter", "HostConfi", "HostConfig", false },
	{ "fold: empty key", "", "HostConfig", false },
	{ "fold: digits exact", "IPv4Address", "IPv4Address", true },
	{ "fold: digits folded", "ipv4address", "IPv4Address", true },
	{ "fold: underscore is not a letter", "Host_Config", "HostConfig", false },
	{ "fold: '@' is not '`' folded", "@", "`", false },
};

static void
test_fold_row(void **state)
{
	const struct fold_case *c = *state;

	if (pol_json_key_folds_to(c->key, c->field) != c->want)
		fail_msg("row \"%s\": folds_to(%s, %s) != %d", c->name, c->key, c->field, c->want);
}

/* ---- accessors ------------------------------------------------------------------------ */

static void
test_js_accessors(void **state)
{
	struct sw_str body = SW_STR_LIT("{\"B\":true,\"S\":\"s\",\"I\":-42,\"N\":null,\"F\":1.5}");
	struct pol_jdoc doc = { NULL };
	struct pol_err err;
	cJSON *n;
	char *out;

	(void)state;
	assert_int_equal(pol_json_parse(&body, &doc, &err), 0);
	assert_true(pol_json_bool(doc.root, "B", false));
	assert_true(pol_json_bool(doc.root, "N", true));
	assert_false(pol_json_bool(doc.root, "b", false)); /* exact names only */
	assert_string_equal(pol_json_string(doc.root, "S"), "s");
	assert_null(pol_json_string(doc.root, "N"));
	assert_null(pol_json_string(doc.root, "B"));
	assert_int_equal(pol_json_int(doc.root, "I", 0), -42);
	assert_int_equal(pol_json_int(doc.root, "F", 7), 7); /* not an integer */
	assert_int_equal(pol_json_int(doc.root, "missing", 9), 9);
	assert_true(pol_json_is_null(pol_json_get(doc.root, "N")));
	assert_true(pol_json_is_null(NULL));
	assert_false(pol_json_is_null(pol_json_get(doc.root, "B")));
	assert_string_equal(pol_json_number_text(pol_json_get(doc.root, "F")), "1.5");
	assert_null(pol_json_number_text(pol_json_get(doc.root, "S")));
	assert_null(pol_json_get(NULL, "B"));
	n = pol_json_new_int(-9223372036854775807LL - 1);
	assert_non_null(n);
	assert_string_equal(pol_json_number_text(n), "-9223372036854775808");
	cJSON_AddItemToObject(doc.root, "New", n);
	out = pol_json_print(doc.root, NULL);
	assert_string_equal(out, "{\"B\":true,\"S\":\"s\",\"I\":-42,\"N\":null,\"F\":1.5,"
	                         "\"New\":-9223372036854775808}");
	free(out);
	pol_json_free(&doc);
	assert_null(doc.root);
	pol_json_free(&doc); /* twice is harmless */
	assert_null(pol_json_print(NULL, NULL));
}

/* The wrapper embeds Config and HostConfig: Go drops fields whose names collide. */
static void
test_js_schema_names_unique(void **state)
{
	const struct pol_jschema *schemas[] = { &pol_schema_create_wrapper,
		&pol_schema_create_request, &pol_schema_update_config, &pol_schema_host_config };
	size_t s, i, j;

	(void)state;
	for (s = 0; s < nitems(schemas); s++)
		for (i = 0; i < schemas[s]->n_fields; i++)
			for (j = i + 1; j < schemas[s]->n_fields; j++)
				if (pol_json_key_folds_to(
				        schemas[s]->fields[i].name, schemas[s]->fields[j].name))
					fail_msg("%s: %s and %s collide", schemas[s]->type,
					    schemas[s]->fields[i].name, schemas[s]->fields[j].name);
}

int
main(void)
{
	static struct CMUnitTest tests[nitems(js_cases) + nitems(fold_cases) + 3];
	size_t i, n = 0;

	for (i = 0; i < nitems(js_cases); i++)
		tests[n++] =
		    (struct CMUnitTest){ js_cases[i].name, test_js_row, NULL, NULL, &js_cases[i] };
	for (i = 0; i < nitems(fold_cases); i++)
		tests[n++] = (struct CMUnitTest){ fold_cases[i].name, test_fold_row, NULL, NULL,
			&fold_cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_js_fixed_point);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_js_accessors);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_js_schema_names_unique);
	return _cmocka_run_group_tests("json_strict", tests, n, NULL, NULL);
}
