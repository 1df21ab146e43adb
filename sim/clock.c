/* clock.c - ikc-sim's simulated time: real monotonic time scaled by --speed */
#include "sim/api.h"

#include "util/clock.h"

static double g_speed = 1.0;
static double g_base;    /* simulated seconds at g_start */
static double g_start;   /* monotonic seconds when the clock was set */

void sim_clock_init(double speed, double base)
{
	g_speed = speed > 0 ? speed : 1.0;
	g_base = base > 0 ? base : 0;
	g_start = ikc_time_monotonic();
}

double sim_clock_now(void)
{
	return g_base + (ikc_time_monotonic() - g_start) * g_speed;
}

double sim_clock_speed(void)
{
	return g_speed;
}
