#!/usr/bin/env python3
"""Writes schemas/kubernetes/*.json: the components.schemas of the OpenAPI v3
documents (/openapi/v3/<group-version>) of a Kubernetes 1.30 API server, for
the kinds ikc-sim serves and everything they refer to.  Trimmed: no
descriptions.  The output is committed; builds do not run this.

Facts come from three places, all Debian packages (scripts/deps.sh does not
need them; install them to regenerate):
  - golang-k8s-kube-openapi-dev: a Kubernetes 1.13 swagger document (its
    pkg/schemaconv/testdata/swagger.json): definitions, patch merge keys;
  - python3-kubernetes (22.6, Kubernetes 1.22): every type's fields and
    their types, for what changed between 1.13 and 1.22;
  - the tables below: fields added from 1.23 to 1.30 and list types
    (x-kubernetes-list-type / -list-map-keys), from the Kubernetes API
    types' +listType markers.

  scripts/gen-kube-openapi.py SWAGGER_JSON PY_MODELS_DIR OUT_DIR
"""
import ast
import json
import os
import re
import sys

swagger_path, models_dir, out_dir = sys.argv[1:4]
OLD = json.load(open(swagger_path))["definitions"]
REF = "#/components/schemas/"

# ---- python models: class name -> {json field: python type} ----
PY = {}
for fn in os.listdir(models_dir):
    if not fn.endswith(".py") or fn == "__init__.py":
        continue
    text = open(os.path.join(models_dir, fn)).read()
    cm = re.search(r"^class (\w+)\(object\):", text, re.M)
    tm = re.search(r"openapi_types = (\{.*?\})\n", text, re.S)
    am = re.search(r"attribute_map = (\{.*?\})\n", text, re.S)
    if not (cm and tm and am):
        continue
    types = ast.literal_eval(tm.group(1))
    attrs = ast.literal_eval(am.group(1))
    PY[cm.group(1)] = {attrs[k]: t for k, t in types.items()}


def py_name(defname):
    """io.k8s.api.core.v1.PodSpec -> V1PodSpec."""
    parts = defname.split(".")
    return parts[-2].capitalize() + parts[-1]


# the group-version packages of 1.30 names
RENAME = {  # 1.30 definition -> python 1.22 class
    "io.k8s.api.core.v1.LifecycleHandler": "V1Handler",
}
for k in list(PY):
    if k.startswith("V2beta2"):
        RENAME["io.k8s.api.autoscaling.v2." + k[len("V2beta2"):]] = k

# ---- fields added after 1.22 (python type notation) ----
ADDED = {
    "io.k8s.api.core.v1.PodSpec": {
        "os": "V1PodOS", "hostUsers": "bool",
        "schedulingGates": "list[V1PodSchedulingGate]",
        "resourceClaims": "list[V1PodResourceClaim]"},
    "io.k8s.api.core.v1.Container": {
        "resizePolicy": "list[V1ContainerResizePolicy]", "restartPolicy": "str"},
    "io.k8s.api.core.v1.EphemeralContainer": {
        "resizePolicy": "list[V1ContainerResizePolicy]", "restartPolicy": "str"},
    "io.k8s.api.core.v1.Probe": {"grpc": "V1GRPCAction"},
    "io.k8s.api.core.v1.LifecycleHandler": {"sleep": "V1SleepAction"},
    "io.k8s.api.core.v1.SecurityContext": {"appArmorProfile": "V1AppArmorProfile"},
    "io.k8s.api.core.v1.PodSecurityContext": {"appArmorProfile": "V1AppArmorProfile"},
    "io.k8s.api.core.v1.VolumeMount": {"recursiveReadOnly": "str"},
    "io.k8s.api.core.v1.TopologySpreadConstraint": {
        "matchLabelKeys": "list[str]", "minDomains": "int",
        "nodeAffinityPolicy": "str", "nodeTaintsPolicy": "str"},
    "io.k8s.api.core.v1.ResourceRequirements": {"claims": "list[V1ResourceClaim]"},
    "io.k8s.api.core.v1.PersistentVolumeClaimSpec": {
        "volumeAttributesClassName": "str"},
    "io.k8s.api.core.v1.ServiceSpec": {"trafficDistribution": "str"},
    "io.k8s.api.coordination.v1.LeaseSpec": {
        "strategy": "str", "preferredHolder": "str"},
    "io.k8s.api.core.v1.PodOS": {"name": "str"},
    "io.k8s.api.core.v1.PodSchedulingGate": {"name": "str"},
    "io.k8s.api.core.v1.PodResourceClaim": {
        "name": "str", "resourceClaimName": "str",
        "resourceClaimTemplateName": "str"},
    "io.k8s.api.core.v1.ContainerResizePolicy": {
        "resourceName": "str", "restartPolicy": "str"},
    "io.k8s.api.core.v1.GRPCAction": {"port": "int", "service": "str"},
    "io.k8s.api.core.v1.SleepAction": {"seconds": "int"},
    "io.k8s.api.core.v1.AppArmorProfile": {
        "type": "str", "localhostProfile": "str"},
    "io.k8s.api.core.v1.ResourceClaim": {"name": "str"},
    "io.k8s.api.batch.v1.CronJobSpec": {"timeZone": "str"},
    "io.k8s.api.batch.v1.JobSpec": {
        "podReplacementPolicy": "str", "backoffLimitPerIndex": "int",
        "maxFailedIndexes": "int", "managedBy": "str",
        "podFailurePolicy": "V1PodFailurePolicy",
        "successPolicy": "V1SuccessPolicy"},
    "io.k8s.api.batch.v1.PodFailurePolicy": {
        "rules": "list[V1PodFailurePolicyRule]"},
    "io.k8s.api.batch.v1.PodFailurePolicyRule": {
        "action": "str",
        "onExitCodes": "V1PodFailurePolicyOnExitCodesRequirement",
        "onPodConditions": "list[V1PodFailurePolicyOnPodConditionsPattern]"},
    "io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement": {
        "containerName": "str", "operator": "str", "values": "list[int]"},
    "io.k8s.api.batch.v1.PodFailurePolicyOnPodConditionsPattern": {
        "status": "str", "type": "str"},
    "io.k8s.api.batch.v1.SuccessPolicy": {"rules": "list[V1SuccessPolicyRule]"},
    "io.k8s.api.batch.v1.SuccessPolicyRule": {
        "succeededCount": "int", "succeededIndexes": "str"},
    "io.k8s.api.apps.v1.StatefulSetSpec": {
        "persistentVolumeClaimRetentionPolicy":
            "V1StatefulSetPersistentVolumeClaimRetentionPolicy",
        "ordinals": "V1StatefulSetOrdinals"},
    "io.k8s.api.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicy": {
        "whenDeleted": "str", "whenScaled": "str"},
    "io.k8s.api.apps.v1.StatefulSetOrdinals": {"start": "int"},
    "io.k8s.api.policy.v1.PodDisruptionBudgetSpec": {
        "unhealthyPodEvictionPolicy": "str"},
}
REMOVED = {
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {"clusterName"},
    "io.k8s.api.core.v1.ServiceSpec": {"topologyKeys"},
}
REQUIRED = {
    "io.k8s.api.core.v1.PodSpec": ["containers"],
    "io.k8s.api.core.v1.Container": ["name"],
    "io.k8s.api.core.v1.ContainerPort": ["containerPort"],
    "io.k8s.api.core.v1.ServicePort": ["port"],
    "io.k8s.api.core.v1.EnvVar": ["name"],
    "io.k8s.api.core.v1.Volume": ["name"],
    "io.k8s.api.core.v1.VolumeMount": ["name", "mountPath"],
    "io.k8s.api.apps.v1.DeploymentSpec": ["selector", "template"],
    "io.k8s.api.apps.v1.ReplicaSetSpec": ["selector"],
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec":
        ["scaleTargetRef", "maxReplicas"],
    "io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec":
        ["scaleTargetRef", "maxReplicas"],
}

# ---- list types (x-kubernetes-list-type, -list-map-keys) ----
M = lambda *keys: ("map", list(keys))  # noqa: E731
A = ("atomic", None)
S = ("set", None)
LISTS = {
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {
        "finalizers": S, "ownerReferences": M("uid")},
    "io.k8s.api.core.v1.PodSpec": {
        "volumes": M("name"), "initContainers": M("name"),
        "containers": M("name"), "ephemeralContainers": M("name"),
        "imagePullSecrets": M("name"), "tolerations": A,
        "hostAliases": M("ip"), "readinessGates": A,
        "topologySpreadConstraints": M("topologyKey", "whenUnsatisfiable"),
        "schedulingGates": M("name"), "resourceClaims": M("name")},
    "io.k8s.api.core.v1.Container": {
        "command": A, "args": A, "ports": M("containerPort", "protocol"),
        "envFrom": A, "env": M("name"), "volumeMounts": M("mountPath"),
        "volumeDevices": M("devicePath"), "resizePolicy": A},
    "io.k8s.api.core.v1.EphemeralContainer": {
        "command": A, "args": A, "ports": M("containerPort", "protocol"),
        "envFrom": A, "env": M("name"), "volumeMounts": M("mountPath"),
        "volumeDevices": M("devicePath"), "resizePolicy": A},
    "io.k8s.api.core.v1.ServiceSpec": {
        "ports": M("port", "protocol"), "clusterIPs": A, "externalIPs": A,
        "loadBalancerSourceRanges": A, "ipFamilies": A},
    "io.k8s.api.core.v1.NamespaceSpec": {"finalizers": A},
    "io.k8s.api.core.v1.Capabilities": {"add": A, "drop": A},
    "io.k8s.api.core.v1.PodSecurityContext": {
        "supplementalGroups": A, "sysctls": A},
    "io.k8s.api.core.v1.NodeSelector": {"nodeSelectorTerms": A},
    "io.k8s.api.core.v1.NodeSelectorTerm": {"matchExpressions": A,
                                            "matchFields": A},
    "io.k8s.api.core.v1.NodeSelectorRequirement": {"values": A},
    "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector": {
        "matchExpressions": A},
    "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement": {
        "values": A},
    "io.k8s.api.core.v1.ExecAction": {"command": A},
    "io.k8s.api.core.v1.HTTPGetAction": {"httpHeaders": A},
    "io.k8s.api.core.v1.TopologySpreadConstraint": {"matchLabelKeys": A},
    "io.k8s.api.core.v1.ServiceAccount": {
        "secrets": M("name"), "imagePullSecrets": A},
    "io.k8s.api.core.v1.ConfigMapVolumeSource": {"items": A},
    "io.k8s.api.core.v1.SecretVolumeSource": {"items": A},
    "io.k8s.api.core.v1.ProjectedVolumeSource": {"sources": A},
    "io.k8s.api.core.v1.DownwardAPIVolumeSource": {"items": A},
    "io.k8s.api.core.v1.PodStatus": {
        "conditions": M("type"), "podIPs": M("ip"),
        "containerStatuses": A, "initContainerStatuses": A,
        "ephemeralContainerStatuses": A},
    "io.k8s.api.core.v1.ReplicationControllerStatus": {"conditions": M("type")},
    "io.k8s.api.core.v1.NodeStatus": {"conditions": M("type"),
                                      "addresses": M("type")},
    "io.k8s.api.core.v1.NodeSpec": {"podCIDRs": S, "taints": A},
    "io.k8s.api.core.v1.ServiceStatus": {"conditions": M("type")},
    "io.k8s.api.core.v1.LoadBalancerStatus": {"ingress": A},
    "io.k8s.api.core.v1.EndpointSubset": {"addresses": A,
                                          "notReadyAddresses": A, "ports": A},
    "io.k8s.api.core.v1.Endpoints": {"subsets": A},
    "io.k8s.api.apps.v1.DeploymentStatus": {"conditions": M("type")},
    "io.k8s.api.apps.v1.ReplicaSetStatus": {"conditions": M("type")},
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec": {"metrics": A},
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerStatus": {
        "currentMetrics": A, "conditions": M("type")},
    "io.k8s.api.autoscaling.v2.HPAScalingRules": {"policies": A},
    "io.k8s.api.apps.v1.StatefulSetSpec": {"volumeClaimTemplates": A},
    "io.k8s.api.apps.v1.StatefulSetStatus": {"conditions": M("type")},
    "io.k8s.api.apps.v1.DaemonSetStatus": {"conditions": M("type")},
    "io.k8s.api.batch.v1.JobStatus": {"conditions": A},
    "io.k8s.api.batch.v1.PodFailurePolicy": {"rules": A},
    "io.k8s.api.batch.v1.PodFailurePolicyRule": {"onPodConditions": A},
    "io.k8s.api.batch.v1.PodFailurePolicyOnExitCodesRequirement": {"values": S},
    "io.k8s.api.batch.v1.SuccessPolicy": {"rules": A},
    "io.k8s.api.networking.v1.IngressSpec": {"rules": A, "tls": A},
    "io.k8s.api.networking.v1.HTTPIngressRuleValue": {"paths": A},
    "io.k8s.api.networking.v1.IngressTLS": {"hosts": A},
    "io.k8s.api.networking.v1.NetworkPolicySpec": {
        "ingress": A, "egress": A, "policyTypes": A},
    "io.k8s.api.networking.v1.NetworkPolicyIngressRule": {"ports": A, "from": A},
    "io.k8s.api.networking.v1.NetworkPolicyEgressRule": {"ports": A, "to": A},
    "io.k8s.api.policy.v1.PodDisruptionBudgetStatus": {"conditions": M("type")},
    "io.k8s.api.core.v1.PersistentVolumeClaimSpec": {"accessModes": A},
}
OMIT_PROPS = {"status"}  # status schemas are kept; nothing to omit


REF_RENAME = {"io.k8s.api.core.v1.Handler": "io.k8s.api.core.v1.LifecycleHandler"}


def conv_ref(ref):
    name = ref[len("#/definitions/"):]
    return REF + REF_RENAME.get(name, name)


def from_old(prop):
    """A 1.13 swagger property -> an OpenAPI v3 property (no description)."""
    p = {k: v for k, v in prop.items() if k != "description"}
    if "$ref" in p:
        r = p.pop("$ref")
        p["allOf"] = [{"$ref": conv_ref(r)}]
    if "items" in p:
        p["items"] = from_old(p["items"])
    if isinstance(p.get("additionalProperties"), dict):
        p["additionalProperties"] = from_old(p["additionalProperties"])
    return p


PRIMS = {"str": {"type": "string"}, "int": {"type": "integer", "format": "int32"},
         "bool": {"type": "boolean"}, "float": {"type": "number", "format": "double"},
         "datetime": {"allOf": [{"$ref": REF + "io.k8s.apimachinery.pkg.apis.meta.v1.Time"}]},
         "object": {"allOf": [{"$ref": REF + "io.k8s.apimachinery.pkg.util.intstr.IntOrString"}]}}


def defname_for(py, near):
    """A python class -> a 1.30 definition name (in `near`'s package if new)."""
    for d, p in RENAME.items():
        if p == py:
            return d
    for d in OLD:
        if py_name(d) == py and not d.startswith("io.k8s.api.autoscaling.v2beta"):
            return d
    m = re.match(r"V(\d+)(\w+)", py)
    pkg = near.rsplit(".", 1)[0]
    return pkg + "." + m.group(2)


def from_py(t, near):
    if t in PRIMS:
        return dict(PRIMS[t])
    m = re.match(r"list\[(.*)\]$", t)
    if m:
        return {"type": "array", "items": from_py(m.group(1), near)}
    m = re.match(r"dict\(str, (.*)\)$", t)
    if m:
        return {"type": "object", "additionalProperties": from_py(m.group(1), near)}
    return {"allOf": [{"$ref": REF + defname_for(t, near)}]}


def refs_of(p):
    out = []
    if isinstance(p, dict):
        for k, v in p.items():
            if k == "$ref":
                out.append(v[len(REF):])
            else:
                out.extend(refs_of(v))
    elif isinstance(p, list):
        for v in p:
            out.extend(refs_of(v))
    return out


def build(name):
    old = OLD.get(name, {})
    if name in ("io.k8s.apimachinery.pkg.util.intstr.IntOrString",):
        return {"type": "string", "format": "int-or-string"}
    if name == "io.k8s.apimachinery.pkg.api.resource.Quantity":
        return {"oneOf": [{"type": "string"}, {"type": "number"}]}
    if old and "properties" not in old:
        return {k: v for k, v in old.items() if k != "description"}
    pyc = RENAME.get(name) or py_name(name)
    fields = dict(PY.get(pyc, {}))
    fields.update(ADDED.get(name, {}))
    for f in REMOVED.get(name, ()):
        fields.pop(f, None)
    if not fields and not old:
        raise SystemExit("no facts for " + name)
    props = {}
    oldprops = old.get("properties", {})
    names = sorted(set(fields) | (set(oldprops) if not fields else set()))
    for f in names:
        if f in oldprops and name not in RENAME:
            props[f] = from_old(oldprops[f])
        else:
            props[f] = from_py(fields[f], name)
        lt = LISTS.get(name, {}).get(f)
        if lt and props[f].get("type") == "array":
            props[f]["x-kubernetes-list-type"] = lt[0]
            if lt[1]:
                props[f]["x-kubernetes-list-map-keys"] = lt[1]
                props[f]["x-kubernetes-patch-merge-key"] = lt[1][0]
                props[f]["x-kubernetes-patch-strategy"] = "merge"
            else:
                props[f].pop("x-kubernetes-patch-merge-key", None)
                props[f].pop("x-kubernetes-patch-strategy", None)
    s = {"type": "object", "properties": props}
    req = REQUIRED.get(name) or old.get("required")
    if req:
        s["required"] = [r for r in req if r in props]
    if old.get("x-kubernetes-group-version-kind"):
        s["x-kubernetes-group-version-kind"] = old["x-kubernetes-group-version-kind"]
    elif name == "io.k8s.api.coordination.v1.Lease":
        s["x-kubernetes-group-version-kind"] = [
            {"group": "coordination.k8s.io", "kind": "Lease", "version": "v1"}]
    return s


GVS = {
    "api__v1": [("", "v1", k) for k in (
        "Namespace", "Node", "Pod", "ReplicationController", "Service",
        "ConfigMap", "Secret", "ServiceAccount", "Event", "Endpoints")] +
    [("meta", "v1", "Status"), ("meta", "v1", "DeleteOptions")],
    "apis__apps__v1": [("apps", "v1", k) for k in (
        "Deployment", "ReplicaSet", "StatefulSet", "DaemonSet")],
    "apis__batch__v1": [("batch", "v1", k) for k in ("Job", "CronJob")],
    "apis__networking.k8s.io__v1": [("networking.k8s.io", "v1", k)
                                    for k in ("Ingress", "NetworkPolicy")],
    "apis__policy__v1": [("policy", "v1", "PodDisruptionBudget")],
    "apis__autoscaling__v1": [("autoscaling", "v1", "HorizontalPodAutoscaler"),
                              ("autoscaling", "v1", "Scale")],
    "apis__autoscaling__v2": [("autoscaling", "v2", "HorizontalPodAutoscaler")],
    "apis__coordination.k8s.io__v1": [("coordination.k8s.io", "v1", "Lease")],
}
PKG = {"": "io.k8s.api.core.v1", "meta": "io.k8s.apimachinery.pkg.apis.meta.v1",
       "apps": "io.k8s.api.apps.v1", "autoscaling": None,
       "batch": "io.k8s.api.batch.v1", "networking.k8s.io": "io.k8s.api.networking.v1",
       "policy": "io.k8s.api.policy.v1",
       "coordination.k8s.io": "io.k8s.api.coordination.v1"}

os.makedirs(out_dir, exist_ok=True)
for gv, kinds in GVS.items():
    schemas = {}
    todo = []
    for group, version, kind in kinds:
        pkg = PKG[group] or "io.k8s.api.autoscaling." + version
        todo.append(pkg + "." + kind)
    roots = {t: k for t, k in zip(todo, kinds)}
    while todo:
        n = todo.pop()
        if n in schemas:
            continue
        s = build(n)
        if n in roots and "x-kubernetes-group-version-kind" not in s:
            g, v, k = roots[n]
            s["x-kubernetes-group-version-kind"] = [
                {"group": g, "kind": k, "version": v}]
        if n.startswith("io.k8s.api.autoscaling.v2."):
            gvk = s.get("x-kubernetes-group-version-kind")
            if gvk:
                s["x-kubernetes-group-version-kind"] = [
                    dict(g, version="v2") for g in gvk]
            elif n.endswith(".HorizontalPodAutoscaler"):
                s["x-kubernetes-group-version-kind"] = [
                    {"group": "autoscaling", "kind": "HorizontalPodAutoscaler",
                     "version": "v2"}]
        schemas[n] = s
        todo.extend(r for r in refs_of(s) if r not in schemas)
    doc = {"components": {"schemas": dict(sorted(schemas.items()))}}
    with open(os.path.join(out_dir, gv + ".json"), "w") as f:
        json.dump(doc, f, separators=(",", ":"), sort_keys=True)
        f.write("\n")
    print(gv, len(schemas), file=sys.stderr)
