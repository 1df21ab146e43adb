/* graph.c - dependency graph of a stack: implicit edges, stable topological order, cycles */
#include "planner/graph.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/errors.h"
#include "util/str.h"

struct node {
	size_t *deps;
	size_t ndeps;
	size_t cap;
};

struct ikc_graph {
	struct node *nodes;
	size_t n;
};

int ikc_graph_new(ikc_graph **out, size_t n)
{
	ikc_graph *g;

	*out = NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return ikc_error_oom();
	g->nodes = calloc(n ? n : 1, sizeof(*g->nodes));
	if (!g->nodes) {
		free(g);
		return ikc_error_oom();
	}
	g->n = n;
	*out = g;
	return 0;
}

void ikc_graph_free(ikc_graph *g)
{
	size_t i;

	if (!g)
		return;
	for (i = 0; i < g->n; i++)
		free(g->nodes[i].deps);
	free(g->nodes);
	free(g);
}

size_t ikc_graph_count(const ikc_graph *g)
{
	return g ? g->n : 0;
}

int ikc_graph_add_edge(ikc_graph *g, size_t from, size_t to)
{
	struct node *nd;
	size_t i;

	if (from >= g->n || to >= g->n)
		return ikc_error_set_code(IKC_EINVALID, IKC_ERR_PLAN,
					  "graph edge %zu -> %zu out of range",
					  from, to);
	nd = &g->nodes[from];
	for (i = 0; i < nd->ndeps; i++)
		if (nd->deps[i] == to)
			return 0;
	if (nd->ndeps == nd->cap) {
		size_t cap = nd->cap ? nd->cap * 2 : 4, bytes;
		size_t *p;

		if (ikc_size_mul(&bytes, cap, sizeof(*p)))
			return ikc_error_oom();
		p = realloc(nd->deps, bytes);
		if (!p)
			return ikc_error_oom();
		nd->deps = p;
		nd->cap = cap;
	}
	nd->deps[nd->ndeps++] = to;
	return 0;
}

const size_t *ikc_graph_deps(const ikc_graph *g, size_t node, size_t *n_out)
{
	if (!g || node >= g->n) {
		*n_out = 0;
		return NULL;
	}
	*n_out = g->nodes[node].ndeps;
	return g->nodes[node].deps;
}

/*
 * Finds one cycle among the nodes not yet ordered (done[v] == 0) by a
 * depth-first walk from the lowest index; rotates it to start at its
 * lowest index.  0, or IKC_ERROR on out of memory.
 */
static int find_cycle(size_t **cycle_out, size_t *ncycle_out,
		      const ikc_graph *g, const unsigned char *done)
{
	unsigned char *color = NULL;   /* 0 new, 1 on the path, 2 finished */
	size_t *stack = NULL, *next = NULL, *cyc = NULL;
	size_t top = 0, s, i, start = 0, ncyc = 0, low;
	int error = 0, found = 0;

	color = calloc(g->n, 1);
	stack = calloc(g->n, sizeof(*stack));
	next = calloc(g->n, sizeof(*next));
	if (!color || !stack || !next) {
		error = ikc_error_oom();
		goto cleanup;
	}
	for (s = 0; s < g->n && !found; s++) {
		if (done[s] || color[s])
			continue;
		top = 0;
		stack[top] = s;
		next[top] = 0;
		color[s] = 1;
		top = 1;
		while (top > 0 && !found) {
			size_t v = stack[top - 1];
			const struct node *nd = &g->nodes[v];

			if (next[top - 1] < nd->ndeps) {
				size_t w = nd->deps[next[top - 1]++];

				if (done[w] || color[w] == 2)
					continue;
				if (color[w] == 1) {
					for (start = 0; stack[start] != w; start++)
						;
					ncyc = top - start;
					found = 1;
					break;
				}
				color[w] = 1;
				stack[top] = w;
				next[top] = 0;
				top++;
			} else {
				color[v] = 2;
				top--;
			}
		}
	}
	if (!found) {
		*cycle_out = NULL;
		*ncycle_out = 0;
		goto cleanup;
	}
	cyc = calloc(ncyc, sizeof(*cyc));
	if (!cyc) {
		error = ikc_error_oom();
		goto cleanup;
	}
	low = 0;
	for (i = 1; i < ncyc; i++)
		if (stack[start + i] < stack[start + low])
			low = i;
	for (i = 0; i < ncyc; i++)
		cyc[i] = stack[start + (low + i) % ncyc];
	*cycle_out = cyc;
	*ncycle_out = ncyc;
cleanup:
	free(color);
	free(stack);
	free(next);
	return error;
}

/*
 * The reverse edges: the dependents of v are list[start[v] .. start[v+1]).
 * Both owned by the caller.  0 or IKC_ERROR.
 */
static int dependents(size_t **start_out, size_t **list_out, const ikc_graph *g)
{
	size_t *start, *list, *fill, v, j, total = 0;

	*start_out = NULL;
	*list_out = NULL;
	for (v = 0; v < g->n; v++)
		total += g->nodes[v].ndeps;
	start = calloc(g->n + 1, sizeof(*start));
	list = calloc(total ? total : 1, sizeof(*list));
	fill = calloc(g->n + 1, sizeof(*fill));
	if (!start || !list || !fill) {
		free(start);
		free(list);
		free(fill);
		return ikc_error_oom();
	}
	for (v = 0; v < g->n; v++)
		for (j = 0; j < g->nodes[v].ndeps; j++)
			start[g->nodes[v].deps[j] + 1]++;
	for (v = 0; v < g->n; v++)
		start[v + 1] += start[v];
	for (v = 0; v < g->n; v++)
		for (j = 0; j < g->nodes[v].ndeps; j++) {
			size_t d = g->nodes[v].deps[j];

			list[start[d] + fill[d]++] = v;
		}
	free(fill);
	*start_out = start;
	*list_out = list;
	return 0;
}

int ikc_graph_order(size_t **order_out, size_t **cycle_out,
		    size_t *ncycle_out, const ikc_graph *g)
{
	size_t *order = NULL, *waiting = NULL, *rstart = NULL, *rlist = NULL;
	unsigned char *done = NULL;
	size_t k, v, i;
	int error = 0;

	*order_out = NULL;
	if (cycle_out) {
		*cycle_out = NULL;
		*ncycle_out = 0;
	}
	order = calloc(g->n ? g->n : 1, sizeof(*order));
	waiting = calloc(g->n ? g->n : 1, sizeof(*waiting));
	done = calloc(g->n ? g->n : 1, 1);
	if (!order || !waiting || !done) {
		error = ikc_error_oom();
		goto cleanup;
	}
	for (v = 0; v < g->n; v++)
		waiting[v] = g->nodes[v].ndeps;
	/*
	 * Kahn's algorithm, always taking the lowest ready index so that
	 * independent resources keep file order.  Quadratic, which is fine for
	 * stacks of a few thousand resources.
	 */
	error = dependents(&rstart, &rlist, g);
	if (error < 0)
		goto cleanup;
	for (k = 0; k < g->n; k++) {
		for (v = 0; v < g->n; v++)
			if (!done[v] && waiting[v] == 0)
				break;
		if (v == g->n)
			break;
		done[v] = 1;
		order[k] = v;
		for (i = rstart[v]; i < rstart[v + 1]; i++)
			waiting[rlist[i]]--;
	}
	if (k < g->n) {
		size_t *cyc = NULL, ncyc = 0;

		error = find_cycle(&cyc, &ncyc, g, done);
		if (error < 0)
			goto cleanup;
		if (cycle_out) {
			*cycle_out = cyc;
			*ncycle_out = ncyc;
		} else {
			free(cyc);
		}
		error = ikc_error_set_code(IKC_ECONFLICT, IKC_ERR_PLAN,
					   "dependency cycle");
		goto cleanup;
	}
	*order_out = order;
	order = NULL;
cleanup:
	free(order);
	free(waiting);
	free(done);
	free(rstart);
	free(rlist);
	return error;
}

void ikc_graph_closure(unsigned char *mark, const ikc_graph *g, size_t node,
		       int reverse)
{
	int changed = 1;
	size_t i, j;

	if (node >= g->n)
		return;
	mark[node] = 1;
	/* Fixed point: cheap enough for stack sizes, and needs no stack. */
	while (changed) {
		changed = 0;
		for (i = 0; i < g->n; i++) {
			const struct node *nd = &g->nodes[i];

			for (j = 0; j < nd->ndeps; j++) {
				size_t d = nd->deps[j];

				if (!reverse && mark[i] && !mark[d]) {
					mark[d] = 1;
					changed = 1;
				} else if (reverse && mark[d] && !mark[i]) {
					mark[i] = 1;
					changed = 1;
				}
			}
		}
	}
}

long ikc_graph_stack_index(const ikc_stack *st, const char *address)
{
	size_t i;

	if (!st || !address)
		return -1;
	for (i = 0; i < st->nresources; i++)
		if (st->resources[i].address &&
		    !strcmp(st->resources[i].address, address))
			return (long)i;
	return -1;
}

static int is_kind(const ikc_resource *r, const char *kind)
{
	return r->kind && !strcmp(r->kind, kind);
}

static int add_by_address(ikc_graph *g, const ikc_stack *st, size_t from,
			  const char *address)
{
	long to = ikc_graph_stack_index(st, address);

	if (to < 0)
		return 0;
	return ikc_graph_add_edge(g, from, (size_t)to);
}

int ikc_graph_from_stack(ikc_graph **out, const ikc_stack *st)
{
	ikc_graph *g = NULL;
	size_t i, j;
	int error;

	*out = NULL;
	error = ikc_graph_new(&g, st->nresources);
	if (error < 0)
		return error;
	for (i = 0; i < st->nresources && !error; i++) {
		const ikc_resource *r = &st->resources[i];

		if (r->cluster)
			error = add_by_address(g, st, i, r->cluster);
		/* A Kubernetes object also waits for its cluster's node pools. */
		if (r->provider == IKC_PROVIDER_KUBERNETES && r->cluster) {
			for (j = 0; j < st->nresources && !error; j++) {
				const ikc_resource *p = &st->resources[j];

				if (p->provider == IKC_PROVIDER_GKE &&
				    is_kind(p, "NodePool") && p->cluster &&
				    !strcmp(p->cluster, r->cluster))
					error = ikc_graph_add_edge(g, i, j);
			}
		}
		if (!error && r->provider == IKC_PROVIDER_KUBERNETES &&
		    r->namespace_ && !is_kind(r, "Namespace")) {
			char *ns = ikc_asprintf("Namespace/%s", r->namespace_);

			if (!ns) {
				error = ikc_error_oom();
				break;
			}
			error = add_by_address(g, st, i, ns);
			free(ns);
		}
		for (j = 0; j < r->nrefs && !error; j++)
			error = add_by_address(g, st, i, r->refs[j].target);
		for (j = 0; j < r->ndepends_on && !error; j++)
			error = add_by_address(g, st, i, r->depends_on[j]);
	}
	if (error < 0) {
		ikc_graph_free(g);
		return error;
	}
	*out = g;
	return 0;
}

int ikc_graph_stack_order(size_t **order_out, ikc_diags *diags,
			  const ikc_stack *st)
{
	ikc_graph *g = NULL;
	size_t *cyc = NULL, ncyc = 0, i;
	ikc_buf msg = IKC_BUF_INIT(64 * 1024);
	int error;

	*order_out = NULL;
	error = ikc_graph_from_stack(&g, st);
	if (error < 0)
		return error;
	error = ikc_graph_order(order_out, &cyc, &ncyc, g);
	if (error != IKC_ECONFLICT)
		goto cleanup;
	error = ikc_buf_puts(&msg, "dependency cycle: ");
	for (i = 0; i < ncyc && !error; i++)
		error = ikc_buf_printf(&msg, "%s -> ",
				       st->resources[cyc[i]].address);
	if (!error && ncyc)
		error = ikc_buf_puts(&msg, st->resources[cyc[0]].address);
	if (error < 0)
		goto cleanup;
	if (diags) {
		const ikc_resource *r = &st->resources[ncyc ? cyc[0] : 0];

		ikc_diags_add(diags, IKC_DIAG_ERROR, st->file, r->line, r->col,
			      "%s", msg.ptr);
	}
	error = ikc_error_set_code(IKC_EINVALID, IKC_ERR_PLAN, "%s", msg.ptr);
cleanup:
	ikc_buf_dispose(&msg);
	free(cyc);
	ikc_graph_free(g);
	return error;
}

int ikc_graph_check(const ikc_stack *st, ikc_diags *diags)
{
	size_t *order = NULL;
	int error = ikc_graph_stack_order(&order, diags, st);

	free(order);
	return error;
}
