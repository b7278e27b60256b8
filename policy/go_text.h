/*
 * Text read as Go's standard library reads it, for parsers that must
 * agree with the daemon byte for byte (build_dockerfile.c): UTF-8 decoding
 * with U+FFFD for invalid bytes, unicode.IsSpace, strings.TrimSpace and
 * strings.ToLower against an ASCII keyword.
 */
#ifndef SW_POLICY_GO_TEXT_H
#define SW_POLICY_GO_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* utf8.DecodeRune: the rune at s (n > 0) and its width; an invalid byte is U+FFFD, width 1. */
uint32_t pol_go_rune_at(const char *s, size_t n, size_t *w);
/* unicode.IsSpace */
bool pol_go_is_space_rune(uint32_t r);
/* unicode.IsSpace(rune(b)) on one byte (a Latin-1 reading: 0x85 and 0xA0 count). */
bool pol_go_is_space_byte(char c);
/* How many bytes of white space begin s: bytes.TrimLeftFunc(s, unicode.IsSpace). */
size_t pol_go_lead_space(const char *s, size_t n);
/* strings.TrimSpace, in place on the view. */
void pol_go_trim_space(const char **s, size_t *n);
/*
 * Does strings.ToLower(s) equal "kw", a lower-case ASCII keyword?  Go maps
 * U+0130 to 'i' and the Kelvin sign U+212A to 'k' as well as ASCII.
 */
bool pol_go_lower_is(const char *s, size_t n, const char *kw);

#endif
