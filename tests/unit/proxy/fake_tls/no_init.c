/* A shared object that is not a sockwarden TLS module: it has no entry point. */
int sw_fake_tls_unrelated(void);

int
sw_fake_tls_unrelated(void)
{
	return 0;
}
