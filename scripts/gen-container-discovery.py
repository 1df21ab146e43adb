#!/usr/bin/env python3
"""Writes schemas/gke/container-v1.json: the schemas of GKE's container/v1
discovery document (types, formats, enums; no descriptions, no methods),
built from the message classes that Google's Cloud SDK generates from that
document (googlecloudsdk/generated_clients/apis/container/v1).  Run where
gcloud is installed; the output is committed, so builds need no gcloud.

  scripts/gen-container-discovery.py [SDK_ROOT] > schemas/gke/container-v1.json
"""
import json
import sys

root = sys.argv[1] if len(sys.argv) > 1 else "/usr/lib/google-cloud-sdk"
sys.path[:0] = [root + "/lib/third_party", root + "/lib"]
from apitools.base.protorpclite import messages  # noqa: E402
from googlecloudsdk.generated_clients.apis.container.v1 import (  # noqa: E402
    container_v1_messages as m)

ROOTS = ["Cluster", "NodePool", "Operation", "ServerConfig",
         "CreateClusterRequest", "CreateNodePoolRequest",
         "UpdateClusterRequest", "UpdateNodePoolRequest",
         "SetNodePoolSizeRequest", "SetNodePoolAutoscalingRequest",
         "SetNodePoolManagementRequest", "SetLabelsRequest",
         "UpdateMasterRequest", "SetLocationsRequest",
         "ListClustersResponse", "ListNodePoolsResponse",
         "ListOperationsResponse", "CancelOperationRequest"]

schemas = {}


def is_map(cls):
    names = [f.name for f in cls.all_fields()]
    return names == ["additionalProperties"]


def field_schema(f, queue):
    if isinstance(f, messages.EnumField):
        s = {"type": "string", "enum": sorted(f.type.names())}
    elif isinstance(f, messages.MessageField):
        t = f.type
        if not isinstance(t, type) or t.__module__ != m.__name__:
            s = {"type": "any"}
        elif is_map(t):
            value = [x for x in t.AdditionalProperty.all_fields()
                     if x.name == "value"][0]
            s = {"type": "object",
                 "additionalProperties": field_schema(value, queue)}
        else:
            name = t.__name__
            queue.append(t)
            s = {"$ref": name}
    elif isinstance(f, messages.BooleanField):
        s = {"type": "boolean"}
    elif isinstance(f, messages.IntegerField):
        if f.variant in (messages.Variant.INT64, messages.Variant.UINT64,
                         messages.Variant.SINT64):
            s = {"type": "string", "format": "int64"}
        else:
            s = {"type": "integer", "format": "int32"}
    elif isinstance(f, messages.FloatField):
        s = {"type": "number", "format": "double"}
    elif isinstance(f, messages.BytesField):
        s = {"type": "string", "format": "byte"}
    else:
        s = {"type": "string"}
    if f.repeated:
        s = {"type": "array", "items": s}
    return s


def add(cls):
    queue = [cls]
    while queue:
        c = queue.pop()
        name = c.__name__
        if name in schemas:
            continue
        schemas[name] = None
        props = {}
        for f in c.all_fields():
            props[f.name] = field_schema(f, queue)
        schemas[name] = {"id": name, "type": "object", "properties": props}


for r in ROOTS:
    add(getattr(m, r))

doc = {
    "kind": "discovery#restDescription",
    "discoveryVersion": "v1",
    "id": "container:v1",
    "name": "container",
    "version": "v1",
    "title": "Kubernetes Engine API",
    "rootUrl": "https://container.googleapis.com/",
    "servicePath": "",
    "batchPath": "batch",
    "protocol": "rest",
    "schemas": dict(sorted(schemas.items())),
}
json.dump(doc, sys.stdout, indent=1, sort_keys=False)
sys.stdout.write("\n")
