#ifndef IKC_SIM_DISCOVERY_H
#define IKC_SIM_DISCOVERY_H

#include "sim/core.h"

/**
 * Serves GKE's container/v1 discovery document when `req` asks for it
 * (1), else leaves resp alone (0).
 */
int sim_discovery_handle(const sim_request *req, sim_response *resp);

#endif /* IKC_SIM_DISCOVERY_H */
