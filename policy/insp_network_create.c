/*
 * NetworkCreate (POST /networks/create), NetworkConnect and
 * NetworkDisconnect (POST /networks/{id}/connect|disconnect), all read with
 * ReadJSON.
 *
 * Rule network_create:
 * - Driver ("" is bridge) must be in network_create.drivers (default:
 *   bridge and overlay).  macvlan and ipvlan put containers on the host's
 *   physical network through Options.parent.
 * - Options are driver options in the daemon's own key space; only keys
 *   known to change nothing outside the network are accepted:
 *     parent                           macvlan/ipvlan, and any config-only
 *                                      network: must match network_parents
 *     com.docker.network.bridge.name   an existing host bridge is reused
 *                                      (br0 with the LAN on it): must match
 *                                      network_parents like a parent
 *     ...gateway_mode_ipv4/ipv6        only "nat" and "isolated"; "routed"
 *                                      and "nat-unprotected" expose every
 *                                      container port
 *   MTU, ICC, masquerade, inhibit_ipv4, enable_ipv4/6, interface prefix,
 *   SNAT addresses, ARP/NA advertisement, macvlan_mode, ipvlan_mode/flag,
 *   the overlay VXLAN list and "encrypted" are fine.  Everything else
 *   (trusted_host_interfaces, host_binding_ipv4, default_bridge, Windows
 *   shim options, any other key) is refused.
 * - ConfigFrom takes the options of an existing config-only network this
 *   request does not show: refused.
 * - IPAM.Driver other than "" or "default" is an IPAM plugin: refused
 *   unless it is listed in network_create.drivers.
 *
 * NetworkConnect and NetworkDisconnect are typed only: which networks a
 * client may join is an ownership question, not a body rule.
 */
#include "sockwarden/compat.h"

#include <stdio.h>
#include <string.h>

#include "insp_check.h"
#include "insp_container.h"
#include "insp_endpoints.h"

#define FIELD(n, k, e, s)         { n, k, e, s },
#define BOOL(n)                   FIELD(n, PJ_BOOL, PJ_ANY, NULL)
#define STR(n)                    FIELD(n, PJ_STRING, PJ_ANY, NULL)
#define STRMAP(n)                 FIELD(n, PJ_MAP, PJ_STRING, NULL)
#define STRUCT(n, s)              FIELD(n, PJ_STRUCT, PJ_ANY, &s)
#define STRUCTS(n, s)             FIELD(n, PJ_ARRAY, PJ_STRUCT, &s)
#define SCHEMA(var, name, fields) const struct pol_jschema var = { name, fields, nitems(fields) }

/* network.IPAMConfig: netip types decode from strings; AuxAddress is "AuxiliaryAddresses" */
static const struct pol_jfield ipam_config_fields[] = { STR("Subnet") STR("IPRange") STR("Gateway")
	    STRMAP("AuxiliaryAddresses") };
static SCHEMA(ipam_config, "IPAMConfig", ipam_config_fields);
static const struct pol_jfield ipam_fields[] = { STR("Driver") STRMAP("Options")
	    STRUCTS("Config", ipam_config) };
static SCHEMA(ipam, "IPAM", ipam_fields);
static const struct pol_jfield config_ref_fields[] = { STR("Network") };
static SCHEMA(config_ref, "ConfigReference", config_ref_fields);

/* network.CreateRequest; CheckDuplicate is still decoded by dockerd <= 24. */
static const struct pol_jfield network_create_fields[] = { STR("Name") STR("Driver") STR("Scope")
	    BOOL("EnableIPv4") BOOL("EnableIPv6") STRUCT("IPAM", ipam) BOOL("Internal") BOOL(
	        "Attachable") BOOL("Ingress") BOOL("ConfigOnly") STRUCT("ConfigFrom", config_ref)
	        STRMAP("Options") STRMAP("Labels") BOOL("CheckDuplicate") };
SCHEMA(pol_schema_network_create, "NetworkCreateRequest", network_create_fields);

static const struct pol_jfield connect_fields[] = { STR("Container")
	    STRUCT("EndpointConfig", pol_schema_endpoint_settings) };
SCHEMA(pol_schema_network_connect, "NetworkConnectRequest", connect_fields);
static const struct pol_jfield disconnect_fields[] = { STR("Container") BOOL("Force") };
SCHEMA(pol_schema_network_disconnect, "NetworkDisconnectRequest", disconnect_fields);

#define OPT_PREFIX "com.docker.network."

/* Driver options that change nothing outside the network they configure. */
static const char *const harmless_options[] = {
	OPT_PREFIX "driver.mtu",
	OPT_PREFIX "bridge.enable_icc",
	OPT_PREFIX "bridge.enable_ip_masquerade",
	OPT_PREFIX "bridge.inhibit_ipv4",
	OPT_PREFIX "enable_ipv4",
	OPT_PREFIX "enable_ipv6",
	OPT_PREFIX "container_iface_prefix",
	OPT_PREFIX "host_ipv4",
	OPT_PREFIX "host_ipv6",
	OPT_PREFIX "advertise_addr_nmsgs",
	OPT_PREFIX "advertise_addr_ms",
	OPT_PREFIX "driver.overlay.vxlanid_list",
	"macvlan_mode",
	"ipvlan_mode",
	"ipvlan_flag",
	"encrypted",
};

static bool
driver_allowed(const struct pol_rules *r, const char *driver)
{
	if (r->network_drivers.n == 0)
		return strcmp(driver, "bridge") == 0 || strcmp(driver, "overlay") == 0;
	return pol_strlist_match(&r->network_drivers, driver);
}

static bool
is_harmless(const char *key)
{
	size_t i;

	for (i = 0; i < nitems(harmless_options); i++)
		if (strcmp(key, harmless_options[i]) == 0)
			return true;
	return false;
}

static void
check_option(struct pol_insp_ctx *ctx, const char *key, const char *value)
{
	const struct pol_rules *r = ctx->rules;
	char field[96];

	if (is_harmless(key))
		return;
	/* Every branch below either returns early or adds a finding naming the field. */
	snprintf(field, sizeof(field), "Options[%s]", key);
	if (strcmp(key, "parent") == 0 || strcmp(key, OPT_PREFIX "bridge.name") == 0) {
		/*
		 * An empty parent makes macvlan/ipvlan use a dummy link, an empty
		 * bridge name the generated one: nothing of the host's.
		 */
		if (value[0] == '\0' || pol_strlist_match(&r->network_parents, value))
			return;
		pol_finding_add(ctx, POL_RULE_NETWORK_CREATE, field, value,
		    "attaches the network to a host interface the policy does not list in "
		    "network_parents");
		return;
	}
	if (strcmp(key, OPT_PREFIX "bridge.gateway_mode_ipv4") == 0 ||
	    strcmp(key, OPT_PREFIX "bridge.gateway_mode_ipv6") == 0) {
		if (strcmp(value, "nat") == 0 || strcmp(value, "isolated") == 0)
			return;
		pol_finding_add(ctx, POL_RULE_NETWORK_CREATE, field, value,
		    "makes container ports reachable without port publishing");
		return;
	}
	pol_finding_add(ctx, POL_RULE_NETWORK_CREATE, field, value,
	    "is a network option the policy does not know to be safe");
}

static void
check_ipam(struct pol_insp_ctx *ctx, const cJSON *ipam_obj)
{
	const char *d = ipam_obj != NULL ? pol_json_string(ipam_obj, "Driver") : NULL;

	if (d == NULL || d[0] == '\0' || strcmp(d, "default") == 0)
		return;
	if (ctx->rules->network_drivers.n > 0 && pol_strlist_match(&ctx->rules->network_drivers, d))
		return;
	pol_finding_add(ctx, POL_RULE_NETWORK_CREATE, "IPAM.Driver", d,
	    "is an IPAM plugin the policy does not list in network_create.drivers");
}

int
pol_insp_network_create(struct pol_insp_ctx *ctx)
{
	const cJSON *root, *opts, *it, *cf;
	const char *driver, *cf_net;

	if (pol_chk_root_struct(ctx, &pol_schema_network_create) == -1)
		return -1;
	if (!pol_rule_on(ctx, POL_RULE_NETWORK_CREATE))
		return 0;
	root = pol_chk_root(ctx);
	driver = root != NULL ? pol_json_string(root, "Driver") : NULL;
	if (driver == NULL || driver[0] == '\0')
		driver = "bridge";
	if (!driver_allowed(ctx->rules, driver))
		pol_finding_add(ctx, POL_RULE_NETWORK_CREATE, "Driver", driver,
		    "is a network driver the policy does not allow");
	if (root == NULL)
		return 0;
	opts = pol_json_get(root, "Options");
	if (opts != NULL && cJSON_IsObject(opts)) {
		cJSON_ArrayForEach (it, opts) {
			if (it->string != NULL)
				check_option(
				    ctx, it->string, cJSON_IsString(it) ? it->valuestring : "");
		}
	}
	cf = pol_json_get(root, "ConfigFrom");
	cf_net = cf != NULL && cJSON_IsObject(cf) ? pol_json_string(cf, "Network") : NULL;
	if (cf_net != NULL && cf_net[0] != '\0')
		pol_finding_add(ctx, POL_RULE_NETWORK_CREATE, "ConfigFrom.Network", cf_net,
		    "takes its options from a config-only network this request does not show");
	check_ipam(ctx, pol_json_get(root, "IPAM"));
	return 0;
}

int
pol_insp_network_connect(struct pol_insp_ctx *ctx)
{
	if (pol_chk_root_struct(ctx, &pol_schema_network_connect) == -1)
		return -1;
	/* Joining a network sets the endpoint's sysctls as at create. */
	pol_cc_check_endpoint_sysctls(
	    ctx, pol_json_get(ctx->doc->root, "EndpointConfig"), "EndpointConfig.DriverOpts");
	return 0;
}

int
pol_insp_network_disconnect(struct pol_insp_ctx *ctx)
{
	return pol_chk_root_struct(ctx, &pol_schema_network_disconnect);
}
