import { groupVersions, RESOURCE_TYPES, verbsOf, type ResourceType } from './resource-types';

/**
 * Discovery documents: /version, /api, /apis and the APIResourceLists. client-node's
 * KubernetesObjectApi reads these to turn (apiVersion, kind) into a URL; kubectl reads them to
 * resolve "deploy" to deployments.apps. Served as legacy (unaggregated) JSON: clients that ask for
 * aggregated discovery (apidiscovery.k8s.io/v2) fall back when the Content-Type is plain JSON.
 */

export const versionInfo = () => ({
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-deploybot-fake',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'go1.23.4',
  compiler: 'gc',
  platform: 'linux/amd64',
});

export const coreVersions = (serverAddress: string) => ({
  kind: 'APIVersions',
  versions: ['v1'],
  serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
});

const groupEntry = (group: string) => {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: `${group}/${gv.version}`, version: gv.version }));
  return { name: group, versions, preferredVersion: versions[0] };
};

export const apiGroupList = () => ({
  kind: 'APIGroupList',
  apiVersion: 'v1',
  groups: [
    ...new Set(
      groupVersions()
        .map((gv) => gv.group)
        .filter((g) => g !== ''),
    ),
  ].map(groupEntry),
});

/** GET /apis/<group>: one APIGroup, or undefined when the fake does not serve that group. */
export const apiGroup = (group: string) => {
  if (!groupVersions().some((gv) => gv.group === group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group) };
};

const resourceEntries = (type: ResourceType) => {
  const main = {
    name: type.plural,
    singularName: type.singular,
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: verbsOf(type),
    ...(type.shortNames ? { shortNames: type.shortNames } : {}),
    ...(type.categories ? { categories: type.categories } : {}),
  };
  if (!type.statusSubresource) return [main];
  const status = {
    name: `${type.plural}/status`,
    singularName: '',
    namespaced: type.namespaced,
    kind: type.kind,
    verbs: ['get', 'patch', 'update'],
  };
  return [main, status];
};

/** GET /api/v1 or /apis/<group>/<version>; undefined for a group/version the fake does not serve. */
export const apiResourceList = (group: string, version: string) => {
  const types = RESOURCE_TYPES.filter((t) => t.group === group && t.version === version);
  if (types.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    ...(group ? { apiVersion: 'v1' } : {}),
    groupVersion: group ? `${group}/${version}` : version,
    resources: types.flatMap(resourceEntries),
  };
};
