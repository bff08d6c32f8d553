/*
 * calendar — working days: service-level clocks for applications (20
 * working days for a SIEL) and deadlines for formal concerns.
 *
 * Owns the public-holiday calendars shipped in data/holidays.csv (written by
 * scripts/holidays.py): "england-and-wales" and "united-states-federal" (the
 * Dissent Channel's working days), others by adding rows. A working day is a
 * Monday to Friday that is not a holiday of the calendar.
 * Pure: no I/O beyond reading the built-in table once.
 */
#ifndef PH_CALENDAR_H
#define PH_CALENDAR_H

#include <stdint.h>

#include "util/util.h"

#define CALENDAR_DEFAULT "england-and-wales"

typedef struct calendar calendar;

/* The calendar by name from the built-in table; PH_ENOTFOUND when unknown. */
int calendar_load(const char *name, calendar **out, ph_err *err);
void calendar_free(calendar *c);

int calendar_is_working_day(const calendar *c, int32_t day);
/* The day `n` working days after `day` (n >= 0; day itself not counted). */
int32_t calendar_add_working_days(const calendar *c, int32_t day, int n);
/* Working days after `from` up to and including `to` (0 when to <= from). */
int calendar_working_days_between(const calendar *c, int32_t from, int32_t to);
/* The first and last day the table covers (outside it only weekends count). */
void calendar_range(const calendar *c, int32_t *first, int32_t *last);

#endif
