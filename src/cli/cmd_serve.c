/* penholder serve: the HTTP API and the web pages. */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cases/cases.h"
#include "cli/cli.h"
#include "concern/concern.h"
#include "http/http.h"

static const char serve_help[] =
    "usage: penholder serve [--db PATH] [--listen ADDRESS:PORT] [--threads N] [options]\n"
    "       penholder serve --routes [--json]\n"
    "\n"
    "Serves the API under /api/v1 (described at /api/v1/openapi.yaml) and the web pages\n"
    "from --web. Stops on SIGTERM or SIGINT: no new connections, requests in flight finish\n"
    "(up to --grace seconds), and nothing is half-written (every write is one transaction).\n"
    "One line per request goes to stderr: time, method, path (never the query), status,\n"
    "duration, account.\n"
    "\n"
    "  --listen ADDRESS:PORT  default 127.0.0.1:8080; [::1]:8080 for IPv6; port 0 picks one\n"
    "  --threads N            worker threads, each with its own database connection (4)\n"
    "  --web DIR              static files (default ./web; '' for none)\n"
    "  --body-max BYTES       largest request body (1048576)\n"
    "  --grace SECONDS        how long shutdown waits for requests in flight (10)\n"
    "  --secure-cookies       mark the session cookie Secure: use it when a TLS proxy\n"
    "                         (nginx, a load balancer) serves penholder over HTTPS\n"
    "  --session-idle SECONDS a session unused this long ends (1800)\n"
    "  --session-max SECONDS  a session ends this long after login (43200)\n"
    "  --lockout-after N      failed logins in a row that lock an account (5; 0 never)\n"
    "  --lockout SECONDS      how long the lock lasts (900)\n"
    "  --login-delay MS       added to each failed login, per failure in a row (250, max 2 s)\n"
    "  --password-min N       shortest password accepted by the API (12)\n"
    "  --no-access-log        no per-request lines\n"
    "  --sweep-interval SECONDS\n"
    "                         escalate overdue formal concerns at start and then this\n"
    "                         often, as `penholder concern sweep` does (3600; 0 never)\n"
    "  --routes               print the route table (method, path, roles, summary) and exit\n";

/* Wrong receipt codes one client address may send before it waits for
 * the window to end (a code has 160 random bits: this only slows a
 * guesser and keeps the log quiet). */
#define RECEIPT_FAILURES_MAX 10
#define RECEIPT_FAILURE_WINDOW_SECONDS 900
/* How often the server sweeps overdue concerns up their escalation chain.
 * Deadlines are days, so an hour is prompt; the sweep is idempotent. */
#define SWEEP_INTERVAL_DEFAULT 3600
#define SWEEP_INTERVAL_MAX (7 * 86400)

static int parse_uint(const char *opt, const char *arg, int64_t min, int64_t max, int64_t *out) {
    if (ph_parse_i64(arg, out) || *out < min || *out > max) {
        cli_usage("serve", "%s must be a whole number from %lld to %lld", opt, (long long)min,
                  (long long)max);
        return 1;
    }
    return 0;
}

static int print_routes(int json) {
    http_router *r = http_router_new();
    ph_err err = {0};
    if (http_routes_register(r, &err)) {
        http_router_free(r);
        return cli_fail(&err);
    }
    json_t *list = json ? json_array() : NULL;
    for (size_t i = 0; i < http_router_count(r); i++) {
        const http_route *rt = http_router_route(r, i);
        char roles[256];
        http_route_roles_text(rt, roles, sizeof roles);
        if (json)
            json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:b, s:s}", "method", rt->method,
                                                  "path", rt->pattern, "roles", roles, "exporters",
                                                  rt->exporters == HTTP_EXPORTERS_OWN_ORG,
                                                  "summary", rt->summary));
        else
            printf("%s\t%s\t%s\t%s\n", rt->method, rt->pattern, roles, rt->summary);
    }
    http_router_free(r);
    if (json) cli_print_json(list);
    return 0;
}

int cmd_serve(int argc, char **argv) {
    static const struct option opts[] = {CLI_COMMON_OPTIONS,
                                         {"listen", required_argument, NULL, 'l'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"web", required_argument, NULL, 'w'},
                                         {"body-max", required_argument, NULL, 'b'},
                                         {"grace", required_argument, NULL, 'g'},
                                         {"secure-cookies", no_argument, NULL, 's'},
                                         {"session-idle", required_argument, NULL, 'i'},
                                         {"session-max", required_argument, NULL, 'm'},
                                         {"lockout-after", required_argument, NULL, 'a'},
                                         {"lockout", required_argument, NULL, 'k'},
                                         {"login-delay", required_argument, NULL, 'd'},
                                         {"password-min", required_argument, NULL, 'p'},
                                         {"no-access-log", no_argument, NULL, 'q'},
                                         {"routes", no_argument, NULL, 'r'},
                                         {"sweep-interval", required_argument, NULL, 'S'},
                                         {0, 0, 0, 0}};
    cli_common c = {0};
    http_server_config cfg;
    http_config_default(&cfg);
    int routes = 0;
    unsigned sweep_interval = SWEEP_INTERVAL_DEFAULT;
    int opt;
    int64_t v;
    optind = 0;
    while ((opt = cli_getopt(argc, argv, "h", opts)) != -1) {
        if (cli_common_option(&c, opt, optarg)) continue;
        switch (opt) {
        case 'l': cfg.listen = optarg; break;
        case 't':
            if (parse_uint("--threads", optarg, 1, 64, &v)) return 2;
            cfg.threads = (unsigned)v;
            break;
        case 'w': cfg.web_root = optarg; break;
        case 'b':
            if (parse_uint("--body-max", optarg, 1024, 1LL << 30, &v)) return 2;
            cfg.body_max = (size_t)v;
            break;
        case 'g':
            if (parse_uint("--grace", optarg, 0, 3600, &v)) return 2;
            cfg.grace_seconds = (unsigned)v;
            break;
        case 's': cfg.secure_cookies = 1; break;
        case 'i':
            if (parse_uint("--session-idle", optarg, 1, 30 * 86400, &v)) return 2;
            cfg.policy.session_idle_seconds = (int)v;
            break;
        case 'm':
            if (parse_uint("--session-max", optarg, 1, 90 * 86400, &v)) return 2;
            cfg.policy.session_max_seconds = (int)v;
            break;
        case 'a':
            if (parse_uint("--lockout-after", optarg, 0, 1000, &v)) return 2;
            cfg.policy.lockout_after = (int)v;
            break;
        case 'k':
            if (parse_uint("--lockout", optarg, 1, 30 * 86400, &v)) return 2;
            cfg.policy.lockout_seconds = (int)v;
            break;
        case 'd':
            if (parse_uint("--login-delay", optarg, 0, 2000, &v)) return 2;
            cfg.policy.failure_delay_ms = (int)v;
            break;
        case 'p':
            if (parse_uint("--password-min", optarg, 8, AUTH_PASSWORD_MAX, &v)) return 2;
            cfg.policy.password_min_length = (int)v;
            break;
        case 'q': cfg.access_log = 0; break;
        case 'r': routes = 1; break;
        case 'S':
            if (parse_uint("--sweep-interval", optarg, 0, SWEEP_INTERVAL_MAX, &v)) return 2;
            sweep_interval = (unsigned)v;
            break;
        default: return cli_bad_option("serve");
        }
    }
    if (c.help) {
        fputs(serve_help, stdout);
        return 0;
    }
    if (optind < argc) return cli_usage("serve", "unexpected argument '%s'", argv[optind]);
    if (routes) return print_routes(c.json);
    cfg.db_path = store_default_path(c.db);

    /* Signals are taken by this thread alone (sigwait); the worker threads
     * inherit the blocked mask. A closed client connection is an error
     * return, not a signal. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    ph_err err = {0};
    /* The engines' services, loaded once and shared by every worker: the
     * policy in force today and the screening index. */
    store *db;
    cases_runtime *rt = NULL;
    cases_services svc;
    if (store_open(cfg.db_path, STORE_READONLY, &db, &err)) return cli_fail(&err);
    int rc = cases_runtime_open(db, NULL, &rt, &err);
    store_close(db);
    if (rc) return cli_fail(&err);
    cases_runtime_services(rt, &svc);
    cfg.services = &svc;
    concern_limiter *limiter =
        concern_limiter_new(RECEIPT_FAILURES_MAX, RECEIPT_FAILURE_WINDOW_SECONDS);
    cfg.concern_limiter = limiter;
    http_server *s;
    if (http_server_start(&cfg, &s, &err)) {
        cases_runtime_close(rt);
        concern_limiter_free(limiter);
        return cli_fail(&err);
    }
    fprintf(stderr, "penholder: serving %s/ (API %s/api/v1/, %u threads, database %s)\n",
            http_server_url(s), http_server_url(s), cfg.threads, cfg.db_path);
    /* Overdue concerns escalate on their own: the sweep's thread inherits
     * the blocked signals, like the workers. */
    concern_sweeper *sweeper = NULL;
    if (sweep_interval) {
        if (concern_sweeper_start(cfg.db_path, sweep_interval, stderr, &sweeper, &err)) {
            http_server_stop(s);
            cases_runtime_close(rt);
            concern_limiter_free(limiter);
            return cli_fail(&err);
        }
        fprintf(stderr,
                "penholder: overdue concerns are swept up their escalation chain every %u s\n",
                sweep_interval);
    }
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "penholder: %s received; finishing requests in flight\n",
            sig == SIGTERM ? "SIGTERM" : "SIGINT");
    concern_sweeper_stop(sweeper); /* a sweep under way finishes its transaction first */
    uint64_t served = http_server_stop(s);
    cases_runtime_close(rt);
    concern_limiter_free(limiter);
    fprintf(stderr, "penholder: stopped after %llu requests\n", (unsigned long long)served);
    return 0;
}
