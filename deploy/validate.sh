#!/usr/bin/env bash
# Checks the files in deploy/ with whatever tools this machine has, without a Docker daemon, a cluster or a
# container registry. Each check prints PASS, FAIL or SKIP (saying what is missing); exit status 1 if any failed.
#
#   deploy/validate.sh            the file checks (seconds)
#   deploy/validate.sh --image    also builds the image tarball with Jib, offline, on a stand-in base image
#                                 (compiles the project: a minute or two), and inspects and smoke-tests it
#
# Tools used when present: python3 with PyYAML (Debian: python3-yaml), yamllint, docker compose (v2 plugin) or
# docker-compose (Debian: docker-compose), promtool (Debian: prometheus), kubectl (kustomize), node and npm (the
# Kubernetes schema check installs kubernetes-models, js-yaml and typescript from npm into
# $STREAMBARD_DEPLOY_TOOLS, default ~/.cache/streambard/deploy-tools, the first time).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$here"

pass=0 fail=0 skip=0
PASS() { echo "PASS $*"; pass=$((pass + 1)); }
FAIL() { echo "FAIL $*"; fail=$((fail + 1)); }
SKIP() { echo "SKIP $*"; skip=$((skip + 1)); }
have() { command -v "$1" > /dev/null 2>&1; }
# run NAME CMD...: PASS when CMD exits 0, else FAIL with its output.
run() {
  local name="$1" out
  shift
  if out="$("$@" 2>&1)"; then PASS "$name"; else FAIL "$name"; echo "$out" | sed 's/^/     /' | tail -40; fi
}

image=false
[[ "${1:-}" == "--image" ]] && image=true

yaml_files=(compose.yaml prometheus/prometheus.yml grafana/provisioning/datasources/*.yaml
            grafana/provisioning/dashboards/*.yaml image/opt/streambard/jmx-exporter.yaml k8s/*.yaml)

# 1. YAML syntax (PyYAML), then yamllint's relaxed rules.
if python3 -c 'import yaml' 2> /dev/null; then
  run "YAML parses: ${#yaml_files[@]} files" python3 - "${yaml_files[@]}" <<'EOF'
import sys, yaml
for f in sys.argv[1:]:
    with open(f) as fh:
        list(yaml.safe_load_all(fh))
EOF
else
  SKIP "YAML parsing: python3 has no PyYAML (apt-get install python3-yaml)"
fi
if have yamllint; then
  run "yamllint (relaxed)" yamllint -d '{extends: relaxed, rules: {line-length: {max: 140}}}' "${yaml_files[@]}"
else
  SKIP "yamllint: not installed (apt-get install yamllint)"
fi

# 2. The Grafana dashboard: valid JSON, every panel on the provisioned datasource, every query non-empty.
run "Grafana dashboard JSON" python3 - <<'EOF'
import json, glob, yaml
uids = {d["uid"] for f in glob.glob("grafana/provisioning/datasources/*.yaml") for d in yaml.safe_load(open(f))["datasources"]}
for f in glob.glob("grafana/dashboards/*.json"):
    dash = json.load(open(f))
    assert dash.get("uid") and dash.get("title"), f + ": no uid or title"
    for p in dash["panels"]:
        if p["type"] == "row":
            continue
        assert p["datasource"]["uid"] in uids, f"{f}: panel {p['title']!r} uses datasource {p['datasource']} not provisioned ({uids})"
        assert p["targets"] and all(t["expr"].strip() for t in p["targets"]), f"{f}: panel {p['title']!r} has an empty query"
EOF

# 3. The compose file, as compose resolves it (interpolation, anchors, merge keys, schema).
if docker compose version > /dev/null 2>&1; then compose=(docker compose)
elif have docker-compose; then compose=(docker-compose)
else compose=()
fi
if ((${#compose[@]})); then
  run "compose config (${compose[*]})" "${compose[@]}" -f compose.yaml config -q
  run "compose config with profile tools (${compose[*]})" "${compose[@]}" -f compose.yaml --profile tools config -q
else
  SKIP "compose config: neither the docker compose plugin nor docker-compose (apt-get install docker-compose)"
fi

# 4. Prometheus configuration.
if have promtool; then
  run "promtool check config" promtool check config prometheus/prometheus.yml
else
  SKIP "promtool: not installed (apt-get install prometheus)"
fi

# 5. Paths and names that must agree between files: the checkpoint store is read by file URI, so it must be the
#    same path in every container; the properties files must agree on the model and the application id.
run "checkpoint store path, model name and ports agree across compose, k8s and properties" python3 - <<'EOF'
import glob, yaml, re
def props(text):
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(("#", "!")):
            k, _, v = line.partition("=")
            out[k.strip()] = v.strip()
    return out
serve, trainer = props(open("config/serve.properties").read()), props(open("config/trainer.properties").read())
store = trainer["checkpoint.store"]
assert serve["model.name"] == trainer["model.name"], "model.name differs between serve and trainer properties"
compose = yaml.safe_load(open("compose.yaml"))
for name in ("serve-1", "serve-2", "trainer"):
    mounts = [v for v in compose["services"][name]["volumes"] if v.startswith("checkpoints:")]
    assert mounts and mounts[0].split(":")[1] == store, f"compose {name}: checkpoints not mounted at {store}: {mounts}"
    if name.startswith("serve"):
        assert compose["services"][name]["volumes"].count(f"serve-{name[-1]}-state:{serve['state.dir']}") == 1, f"{name}: state dir"
for job in yaml.safe_load(open("prometheus/prometheus.yml"))["scrape_configs"]:
    for t in job["static_configs"][0]["targets"]:
        host, port = t.split(":")
        if host in compose["services"]:
            want = serve["http.port"] if host.startswith("serve") else "9404"
            assert port == want, f"prometheus target {t}: port {want} expected"
docs = [d for f in glob.glob("k8s/*.yaml") for d in yaml.safe_load_all(open(f)) if d]
cm = next(d for d in docs if d["kind"] == "ConfigMap")
kserve, ktrainer = props(cm["data"]["serve.properties"]), props(cm["data"]["trainer.properties"])
assert kserve["model.name"] == ktrainer["model.name"]
assert kserve.get("streams.num.standby.replicas") == "1"
for d in docs:
    if d["kind"] in ("StatefulSet", "Deployment"):
        c = d["spec"]["template"]["spec"]["containers"][0]
        m = {v["name"]: v["mountPath"] for v in c["volumeMounts"]}
        assert m["checkpoints"] == ktrainer["checkpoint.store"], f"{d['kind']}: checkpoints mounted at {m['checkpoints']}"
        if d["kind"] == "StatefulSet":
            assert m["state"] == kserve["state.dir"], "StatefulSet: state volume not at state.dir"
            assert c["livenessProbe"]["httpGet"]["path"] == "/health" and c["readinessProbe"]["httpGet"]["path"] == "/ready"
        else:
            assert d["spec"]["replicas"] == 1 and d["spec"]["strategy"]["type"] == "Recreate", "one trainer only"
pvc = next(d for d in docs if d["kind"] == "PersistentVolumeClaim")
assert pvc["spec"]["accessModes"] == ["ReadWriteMany"]
EOF

# 6. Kubernetes: kustomize build (kubectl), then schema and unknown-field checks (node + npm packages).
if have kubectl; then
  run "kubectl kustomize k8s" kubectl kustomize k8s
else
  SKIP "kubectl kustomize: kubectl not installed"
fi
tools="${STREAMBARD_DEPLOY_TOOLS:-$HOME/.cache/streambard/deploy-tools}"
if have node && have npm; then
  if [[ ! -d "$tools/node_modules/kubernetes-models" || ! -x "$tools/node_modules/.bin/tsc" ]]; then
    echo "     installing kubernetes-models, js-yaml and typescript from npm into $tools"
    mkdir -p "$tools" && (cd "$tools" && npm install --no-audit --no-fund --silent kubernetes-models@5.1.0 js-yaml@4 typescript@5) > /dev/null 2>&1
  fi
  if [[ -d "$tools/node_modules/kubernetes-models" ]]; then
    run "Kubernetes schema (1.27) and unknown fields: k8s/*.yaml" node tools/validate-k8s.mjs "$tools" k8s/*.yaml
  else
    SKIP "Kubernetes schema: could not install kubernetes-models from npm"
  fi
else
  SKIP "Kubernetes schema: node and npm not installed"
fi
SKIP "kubectl apply --dry-run=client / --dry-run=server: they need an API server (no cluster here)"

# 7. The image: the Jib profile, built offline on a stand-in base image (no registry is contacted).
if $image; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  mkdir -p "$work/base/opt/java/openjdk/bin"
  printf '#!/bin/sh\necho "stand-in base image: no JRE here" >&2\nexit 1\n' > "$work/base/opt/java/openjdk/bin/java"
  chmod +x "$work/base/opt/java/openjdk/bin/java"
  tar -C "$work/base" -cf "$work/layer.tar" opt
  diff_id="$(sha256sum "$work/layer.tar" | cut -d' ' -f1)"
  printf '{"architecture":"amd64","os":"linux","config":{"Env":["PATH=/opt/java/openjdk/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","JAVA_HOME=/opt/java/openjdk"]},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$diff_id" > "$work/config.json"
  echo '[{"Config":"config.json","RepoTags":["stand-in/temurin:17-jre"],"Layers":["layer.tar"]}]' > "$work/manifest.json"
  tar -C "$work" -cf "$work/base.tar" config.json manifest.json layer.tar
  # -o: Maven offline (the plugins must be in ~/.m2 already); Jib then contacts no registry and checks no updates.
  run "Jib image tarball (offline, stand-in base)" bash -c "cd '$root' && ./mvnw -B -q -o -Pimage -DskipTests \
      -Djib.disableUpdateChecks=true -Djib.from.image=tar://$work/base.tar -Dbuild.dir='$work/target' package jib:buildTar"
  if [[ -f "$work/target/streambard-image.tar" ]]; then
    mkdir -p "$work/image" "$work/rootfs" && tar -C "$work/image" -xf "$work/target/streambard-image.tar"
    run "image config: entrypoint, OMP_WAIT_POLICY, OPENBLAS_THREAD_TIMEOUT, amd64" python3 - "$work/image" <<'EOF'
import json, sys, os
d = sys.argv[1]
m = json.load(open(os.path.join(d, "manifest.json")))[0]
c = json.load(open(os.path.join(d, m["Config"])))
cfg = c["config"]
assert c["architecture"] == "amd64" and c["os"] == "linux", (c["architecture"], c["os"])
assert cfg["Entrypoint"][0] == "java" and cfg["Entrypoint"][-1] == "dev.streambard.cli.Main", cfg["Entrypoint"]
assert "OMP_WAIT_POLICY=PASSIVE" in cfg["Env"], cfg["Env"]
assert "OPENBLAS_THREAD_TIMEOUT=4" in cfg["Env"], cfg["Env"]
print(cfg["Entrypoint"])
EOF
    for layer in $(python3 -c "import json,sys;print(' '.join(json.load(open(sys.argv[1]))[0]['Layers'][1:]))" "$work/image/manifest.json"); do
      tar -C "$work/rootfs" -xzf "$work/image/$layer" 2> /dev/null
    done
    sed "s#/app/#$work/rootfs/app/#g; s#/app:#$work/rootfs/app:#g; s#^/app#$work/rootfs/app#" "$work/rootfs/app/jib-classpath-file" > "$work/cp"
    run "image files: /opt/streambard agent and rules, class path complete" bash -c "
      test -s '$work/rootfs/opt/streambard/jmx_prometheus_javaagent.jar' && test -s '$work/rootfs/opt/streambard/jmx-exporter.yaml' &&
      tr ':' '\n' < '$work/cp' | while read -r p; do test -e \"\$p\" || { echo \"missing \$p\"; exit 1; }; done"
    if have java; then
      run "image class path runs: trainer --help (local JDK)" bash -c "java -cp @'$work/cp' dev.streambard.cli.Main trainer --help | grep -q -- --base-corpus"
    else
      SKIP "image class path run: no local java"
    fi
  fi
else
  SKIP "image build: run deploy/validate.sh --image (compiles the project; builds on a stand-in base offline)"
fi
SKIP "docker compose up, image pull and run: no Docker daemon and no registry access here"

echo "validate: $pass passed, $fail failed, $skip skipped"
((fail == 0))
