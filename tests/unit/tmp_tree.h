/*
 * Removing a test's temporary directory and everything in it, without a
 * shell, which the lint forbids.  Included by the unit tests that need it.
 */
#ifndef SW_TEST_TMP_TREE_H
#define SW_TEST_TMP_TREE_H

#include <sys/stat.h>

#include <ftw.h>
#include <stdio.h>

static inline int
tmp_tree_remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* 0, or -1 when something could not be removed. */
static inline int
tmp_tree_remove(const char *dir)
{
	return nftw(dir, tmp_tree_remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

#endif
