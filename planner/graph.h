#ifndef IKC_PLANNER_GRAPH_H
#define IKC_PLANNER_GRAPH_H

/*
 * Dependency graphs (spec.md "Ordering").  Nodes are numbered 0..n-1; for a
 * stack, node i is st->resources[i].  An edge from -> to means `from`
 * depends on `to`: `to` is applied first and destroyed last.
 */

#include <stddef.h>          /* for size_t */
#include "stack/stack.h"
#include "util/diag.h"

typedef struct ikc_graph ikc_graph;

/** A graph of `n` nodes and no edges. 0 or IKC_ERROR (out of memory). */
int ikc_graph_new(ikc_graph **out, size_t n);
void ikc_graph_free(ikc_graph *g);

/** Number of nodes. */
size_t ikc_graph_count(const ikc_graph *g);

/** Adds "from depends on to" (duplicates are ignored). 0, IKC_EINVALID (bad index) or IKC_ERROR. */
int ikc_graph_add_edge(ikc_graph *g, size_t from, size_t to);

/** The direct dependencies of `node`, in the order they were added (borrowed). */
const size_t *ikc_graph_deps(const ikc_graph *g, size_t node, size_t *n_out);

/**
 * Topological order: every node after all of its dependencies; among nodes
 * that are ready together the lowest index goes first (file order).
 * On success *order_out (owned, n entries) and 0.  On a cycle returns
 * IKC_ECONFLICT and, when cycle_out is not NULL, an owned list of the
 * nodes of one cycle (*ncycle_out of them), starting at its lowest index,
 * each depending on the next and the last on the first.
 */
int ikc_graph_order(size_t **order_out, size_t **cycle_out,
		    size_t *ncycle_out, const ikc_graph *g);

/**
 * Marks in `mark` (n bytes) `node` and everything it depends on,
 * transitively.  When `reverse` is set, marks what depends on it instead.
 */
void ikc_graph_closure(unsigned char *mark, const ikc_graph *g, size_t node,
		       int reverse);

/**
 * The graph of a stack's resources: a NodePool after its Cluster; a
 * Kubernetes object after its Cluster and that cluster's NodePools; a
 * namespaced object after its Namespace when the stack has it; references;
 * ikc.dev/depends-on.  References to addresses outside the stack add no
 * edge (the spec reports those).  0 or IKC_ERROR.
 */
int ikc_graph_from_stack(ikc_graph **out, const ikc_stack *st);

/**
 * Index of the stack resource with this canonical address, or -1.
 * (A plain scan; no dependency on the spec library.)
 */
long ikc_graph_stack_index(const ikc_stack *st, const char *address);

/**
 * The stack's apply order (owned array of st->nresources indices).  A cycle
 * adds a diagnostic positioned at the cycle's first resource in file order,
 * "dependency cycle: ConfigMap/a -> ConfigMap/b -> ConfigMap/a", records
 * the same message and returns IKC_EINVALID.
 */
int ikc_graph_stack_order(size_t **order_out, ikc_diags *diags,
			  const ikc_stack *st);

/**
 * For `ikc validate`: 0 when the stack's dependencies have no cycle, else
 * IKC_EINVALID with the positioned cycle diagnostic added to `diags`.
 */
int ikc_graph_check(const ikc_stack *st, ikc_diags *diags);

#endif /* IKC_PLANNER_GRAPH_H */
