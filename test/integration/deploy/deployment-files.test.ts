import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";
import { Env } from "../../../src/config/env.js";
import { healthRoutes } from "../../../src/web/health-routes.js";

/**
 * The Dockerfile, docker-compose.yml and the kustomize base (deploy/kubernetes/) checked for what
 * this machine can check without a Docker engine, a registry or a cluster: they agree with each
 * other and with the code (variables Bosun knows, routes it serves, commands its CLI has).
 * `kubectl kustomize deploy/kubernetes` renders the same objects (README, "Kubernetes").
 */

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const BASE = path.join(ROOT, "deploy", "kubernetes");
const KNOWN_VARIABLES = new Set(Object.keys(Env.shape));
const COMMANDS = ["start", "web", "worker", "migrate"];

type Labels = Record<string, string>;
interface Container {
  name: string;
  image: string;
  args?: string[];
  ports?: { name: string; containerPort: number }[];
  env?: { name: string; value?: string }[];
  envFrom?: ({ configMapRef: { name: string } } | { secretRef: { name: string } })[];
  securityContext?: Record<string, unknown>;
  startupProbe?: Probe;
  livenessProbe?: Probe;
  readinessProbe?: Probe;
}
interface Probe {
  httpGet?: { path: string; port: string };
}
interface PodTemplate {
  metadata: { labels: Labels };
  spec: { containers: Container[]; securityContext?: Record<string, unknown> };
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Labels };
  spec?: Record<string, unknown>;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

const text = (file: string) => readFile(path.join(ROOT, file), "utf8");

async function objectsOf(file: string): Promise<K8sObject[]> {
  return parseAllDocuments(await readFile(path.join(BASE, file), "utf8")).map(
    (document) => document.toJS() as K8sObject,
  );
}

async function base() {
  const kustomization = parse(await readFile(path.join(BASE, "kustomization.yaml"), "utf8")) as {
    resources: string[];
    images: { name: string }[];
    labels: { pairs: Labels; includeSelectors: boolean }[];
  };
  const objects = (await Promise.all(kustomization.resources.map(objectsOf))).flat();
  const named = (kind: string) => objects.filter((object) => object.kind === kind);
  const podTemplates = [...named("Deployment"), ...named("Job")].map((object) => ({
    object,
    template: (object.spec as { template: PodTemplate }).template,
  }));
  return { kustomization, objects, named, podTemplates };
}

const matches = (selector: Labels, labels: Labels) =>
  Object.entries(selector).every(([name, value]) => labels[name] === value);

describe("the kustomize base", () => {
  it("lists files that hold named objects, every container on the one image, running a bosun command", async () => {
    const { kustomization, objects, podTemplates } = await base();
    expect(objects.map((object) => object.kind).sort()).toEqual([
      "ConfigMap",
      "Deployment",
      "Deployment",
      "Ingress",
      "Job",
      "PodDisruptionBudget",
      "PodDisruptionBudget",
      "Service",
      "ServiceMonitor",
    ]);
    for (const object of objects) expect(object.metadata.name).toMatch(/^bosun(-[a-z]+)?$/);
    expect(kustomization.images.map((image) => image.name)).toEqual(["bosun"]);
    const containers = podTemplates.flatMap(({ template }) => template.spec.containers);
    expect(containers.map((container) => container.image)).toEqual(["bosun", "bosun", "bosun"]);
    expect(containers.map((container) => container.args?.[0])).toEqual([
      "web",
      "worker",
      "migrate",
    ]);
    for (const container of containers) expect(COMMANDS).toContain(container.args?.[0]);
  });

  it("has selectors that match the pods, services and ports they name", async () => {
    const { named, podTemplates } = await base();
    for (const { object, template } of podTemplates.filter((p) => p.object.kind === "Deployment")) {
      const selector = (object.spec as { selector: { matchLabels: Labels } }).selector.matchLabels;
      expect(matches(selector, template.metadata.labels), object.metadata.name).toBe(true);
    }
    const deployments = podTemplates.filter(({ object }) => object.kind === "Deployment");
    const selected = (selector: Labels) =>
      deployments.filter(({ template }) => matches(selector, template.metadata.labels));
    for (const budget of named("PodDisruptionBudget")) {
      const selector = (budget.spec as { selector: { matchLabels: Labels } }).selector.matchLabels;
      expect(selected(selector), budget.metadata.name).toHaveLength(1);
    }
    const [service] = named("Service");
    const serviceSpec = service!.spec as {
      selector: Labels;
      ports: { name: string; targetPort: string }[];
    };
    const web = selected(serviceSpec.selector);
    expect(web.map(({ object }) => object.metadata.name)).toEqual(["bosun-web"]);
    const webPorts = web[0]!.template.spec.containers[0]!.ports!.map((port) => port.name);
    for (const port of serviceSpec.ports) expect(webPorts).toContain(port.targetPort);

    const [monitor] = named("ServiceMonitor");
    const monitorSpec = monitor!.spec as {
      selector: { matchLabels: Labels };
      endpoints: { port: string; path: string }[];
    };
    expect(matches(monitorSpec.selector.matchLabels, service!.metadata.labels ?? {})).toBe(true);
    expect(monitorSpec.endpoints).toEqual([{ port: "http", path: "/metrics", interval: "30s" }]);
    expect(serviceSpec.ports.map((port) => port.name)).toContain("http");

    const [ingress] = named("Ingress");
    const backends = JSON.stringify(ingress!.spec).match(/"service":\{[^}]+\}\}/g) ?? [];
    expect(backends).toEqual([`"service":{"name":"bosun-web","port":{"name":"http"}}`]);
  });

  it("probes paths Bosun serves, on ports the container declares", async () => {
    const { podTemplates } = await base();
    const routes = healthRoutes({
      isReady: () => Promise.resolve(true),
      accepting: () => true,
      sandbox: undefined,
    });
    const probes = podTemplates.flatMap(({ template }) =>
      template.spec.containers.flatMap((container) =>
        [container.startupProbe, container.livenessProbe, container.readinessProbe]
          .filter((probe): probe is Probe => probe !== undefined)
          .map((probe) => ({ container, probe })),
      ),
    );
    expect(probes.map(({ probe }) => probe.httpGet?.path)).toEqual([
      "/healthz",
      "/healthz",
      "/readyz",
    ]);
    for (const { container, probe } of probes) {
      const { path: probed, port } = probe.httpGet!;
      expect((await routes.request(probed)).status, probed).toBe(200);
      expect(container.ports?.map((declared) => declared.name)).toContain(port);
    }
  });

  it("sets only variables Bosun knows, from the ConfigMap and the Secret it documents", async () => {
    const { named, podTemplates } = await base();
    const [configMap] = named("ConfigMap");
    const [secret] = await objectsOf("secret.example.yaml");
    const names = [
      ...Object.keys(configMap!.data ?? {}),
      ...Object.keys(secret!.stringData ?? {}),
      ...podTemplates.flatMap(({ template }) =>
        template.spec.containers.flatMap((container) => (container.env ?? []).map((e) => e.name)),
      ),
    ];
    for (const name of names) expect(KNOWN_VARIABLES.has(name), name).toBe(true);
    expect(configMap!.data).toMatchObject({ NODE_ENV: "production", BOSUN_SANDBOX: "required" });
    for (const { template } of podTemplates) {
      for (const container of template.spec.containers) {
        expect(container.envFrom).toEqual([
          { configMapRef: { name: configMap!.metadata.name } },
          { secretRef: { name: secret!.metadata.name } },
        ]);
      }
    }
  });

  it("runs every pod as the image's unprivileged user; only the worker's profiles allow user namespaces", async () => {
    const { podTemplates } = await base();
    const user = /^USER (\d+):(\d+)$/m.exec(await text("Dockerfile"));
    for (const { object, template } of podTemplates) {
      const pod = template.spec.securityContext ?? {};
      expect(pod).toMatchObject({ runAsNonRoot: true, runAsUser: Number(user?.[1]) });
      for (const container of template.spec.containers) {
        expect(container.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
        });
        expect(container.securityContext).not.toHaveProperty("privileged");
        expect(container.securityContext).not.toHaveProperty("capabilities.add");
      }
      const seccomp = (pod.seccompProfile as { type: string }).type;
      expect(seccomp, object.metadata.name).toBe(
        object.metadata.name === "bosun-worker" ? "Unconfined" : "RuntimeDefault",
      );
    }
  });
});

describe("the images", () => {
  it("pins the Node base by digest, builds dist/, runs it under tini as a non-root user, checks /readyz", async () => {
    const dockerfile = await text("Dockerfile");
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:22-bookworm-slim@sha256:[0-9a-f]{64}$/m);
    const froms = [...dockerfile.matchAll(/^FROM (\S+) AS (\S+)$/gm)].map((match) => match[1]);
    expect(new Set(froms)).toEqual(new Set(["${NODE_IMAGE}"]));
    expect(dockerfile).toContain("RUN npm run build");
    expect(dockerfile).toContain("npm ci --omit=dev");
    expect(dockerfile).toMatch(/apt-get install [^\n]*\btini\b[^\n]*\bbubblewrap\b/);
    expect(dockerfile).toContain('ENTRYPOINT ["/usr/bin/tini", "--", "node", "dist/cli.js"]');
    expect(dockerfile).toMatch(/HEALTHCHECK[^\n]*\n[^\n]*\/readyz/);
    expect(dockerfile).not.toMatch(/\btsx\b/);
    expect(dockerfile).toMatch(/tofu_\$\{TOFU_VERSION\}_linux_\$\{TARGETARCH\}\.tar\.gz/);
    // What runs needs app.yml (setup) and migrations/ beside dist/, as in a checkout.
    expect(dockerfile).toContain("COPY package.json app.yml ./");
    expect(dockerfile).toContain("COPY migrations ./migrations");
    expect(await text(".dockerignore")).toMatch(/^\.env$/m);
  });

  it("composes Bosun after a healthy PostgreSQL 15, with volumes and only variables Bosun knows", async () => {
    const compose = parse(await text("docker-compose.yml")) as {
      services: Record<
        string,
        {
          image: string;
          environment: Record<string, string>;
          depends_on?: Record<string, { condition: string }>;
          healthcheck?: { test: string[] };
          volumes: string[];
        }
      >;
      volumes: Record<string, unknown>;
    };
    const { bosun, postgres } = compose.services;
    expect(postgres!.image).toMatch(/^postgres:15-bookworm@sha256:[0-9a-f]{64}$/);
    expect(postgres!.healthcheck?.test.join(" ")).toContain("pg_isready");
    expect(bosun!.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    for (const name of Object.keys(bosun!.environment)) {
      expect(KNOWN_VARIABLES.has(name), name).toBe(true);
    }
    expect(bosun!.environment.DATABASE_URL).toMatch(/@postgres:5432\/bosun$/);
    for (const service of [bosun!, postgres!]) {
      for (const volume of service.volumes) {
        expect(Object.keys(compose.volumes)).toContain(volume.split(":")[0]);
      }
    }
  });
});
