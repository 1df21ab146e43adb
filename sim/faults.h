#ifndef IKC_SIM_FAULTS_H
#define IKC_SIM_FAULTS_H

/*
 * Fault injection for ikc-sim (grammar in sim/faults.c).  Thread-safe.
 */

#include <stdint.h>          /* for uint64_t */
#include <json-c/json.h>

typedef enum {
	SIM_FAULT_NONE = 0,
	SIM_FAULT_STATUS,   /* answer with `status` (and Retry-After when set) */
	SIM_FAULT_DROP,     /* close the connection without an answer */
	SIM_FAULT_SLOW      /* sleep `ms`, then serve normally */
} sim_fault_kind;

typedef struct sim_fault {
	sim_fault_kind kind;
	int status;
	int retry_after;    /* seconds; 0 = no header */
	int ms;
} sim_fault;

/** Seeds the generator that `rate=` rules draw from. */
void sim_faults_seed(uint64_t seed);

/**
 * Adds the rules of `spec` (appending to those in force).  IKC_EINVALID with
 * a message naming the bad rule; nothing is added then.
 */
int sim_faults_add(const char *spec);

/** Drops every rule. */
void sim_faults_clear(void);

/**
 * Decides what happens to the request "METHOD PATH" (`route`).  Request
 * faults (status, drop) win over slowness; at most one of each is drawn, and
 * a slow rule's delay is reported in *slow_ms (0 when none).
 */
void sim_faults_request(const char *route, sim_fault *out, int *slow_ms);

/** 1 if a newly started operation for `route` must end in error. */
int sim_faults_opfail(const char *route);

/** Owned JSON list of the rules with how often each fired. */
json_object *sim_faults_describe(void);

#endif /* IKC_SIM_FAULTS_H */
