/*
 * workflow — the state machines of penholder, as tables.
 *
 * Owns the transition tables for applications (cases), licences and formal
 * concerns: from-state, event, to-state, the roles allowed to fire the event,
 * and the name of a guard the owning module checks (e.g. "screening_disposed"
 * before a case is finalised). Pure data and lookups, no I/O: the server,
 * the command line and the documentation (docs/workflow.md, generated with
 * `penholder workflow --mermaid`) all read the same table, so an illegal
 * transition is refused in one place and the drawing can never drift.
 */
#ifndef PH_WORKFLOW_H
#define PH_WORKFLOW_H

#include <stddef.h>
#include <stdio.h>

typedef struct wf_transition {
    const char *from; /* "*" matches any state not final */
    const char *event;
    const char *to;    /* "" keeps the state (an event that records, not moves) */
    const char *roles; /* space-separated role names; "system" for penholder itself */
    const char *guard; /* NULL, or a condition the owning module checks */
    const char *summary;
} wf_transition;

typedef struct wf_machine {
    const char *name;
    const char *initial;
    const char *const *states;       /* NULL-terminated */
    const char *const *final_states; /* NULL-terminated */
    const wf_transition *transitions;
    size_t ntransitions;
} wf_machine;

extern const wf_machine wf_case;
extern const wf_machine wf_licence;
extern const wf_machine wf_concern;

/* The machine by name ("case", "licence", "concern"), or NULL. */
const wf_machine *wf_machine_named(const char *name);

int wf_is_state(const wf_machine *m, const char *state);
int wf_is_final(const wf_machine *m, const char *state);

/* The transition for an event from a state, or NULL when the event is not
 * allowed from that state at all. */
const wf_transition *wf_find(const wf_machine *m, const char *from, const char *event);

/* Whether `role` may fire the transition. */
int wf_role_allowed(const wf_transition *t, const char *role);

/* Events that may be fired from `from` (by `role`, or by anyone when role is
 * NULL), in table order. Returns how many were written (at most max). */
size_t wf_allowed_events(const wf_machine *m, const char *from, const char *role, const char **out,
                         size_t max);

/* Writes the machine as a Mermaid stateDiagram. */
void wf_write_mermaid(const wf_machine *m, FILE *out);
/* Writes the table as Markdown. */
void wf_write_table(const wf_machine *m, FILE *out);

#endif
