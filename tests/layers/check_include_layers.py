#!/usr/bin/env python3
"""Checks that no file includes a header of a layer above its own.

The library's layers, lowest first (README "Layout"):

  ground     values every layer uses: errors, RawJson, open enums, timestamps, cancellation,
             logging, HTTP headers (a value type), limits, versions, export macros; in src/,
             their implementations and the primitives they use (the JSON pull reader and string
             escaper, the calendar, `retry-after`)
  models     the Messages and Message Batches types and their generated parts
             (message*.hpp, beta/beta_message*.hpp, models/, beta/models/, */generated/)
  codecs     the rest of src/json/, and src/generated/ (the JSON between the wire and the models)
  transport  http/ (the HttpClient interface, libcurl, the retrying decorator)
  services   messages/, beta/messages/, client*, testing/, the umbrella header

A file may include its own layer and those below. Exits 1 and names every include that goes up.
Run with the repository root as the only argument (ctest does).
"""

import pathlib
import re
import sys

LAYERS = ["ground", "models", "codecs", "transport", "services"]

GROUND = {
    "anthropic/api_version.hpp",
    "anthropic/box.hpp",
    "anthropic/cancellation.hpp",
    "anthropic/errors.hpp",
    "anthropic/export.hpp",
    "anthropic/http/headers.hpp",
    "anthropic/json.hpp",
    "anthropic/limits.hpp",
    "anthropic/logging.hpp",
    "anthropic/open_enum.hpp",
    "anthropic/raw_json.hpp",
    "anthropic/response_metadata.hpp",
    "anthropic/timestamp.hpp",
    "anthropic/version.hpp",
}


def public_layer(name):
    """The layer of a public header, named as it is included (`anthropic/...`)."""
    if name in GROUND:
        return "ground"
    rest = name[len("anthropic/"):]
    if (rest in ("message.hpp", "message_param.hpp")
            or re.fullmatch(r"beta/beta_message(_param)?\.hpp", rest)
            or rest.startswith(("models/", "beta/models/", "generated/", "beta/generated/"))):
        return "models"
    if rest.startswith("http/"):
        return "transport"
    return "services"


def private_layer(rel):
    """The layer of a file under src/ (its path relative to src/); None for a file no rule
    places (reported as an error: a new file needs a rule)."""
    if rel in ("errors.cpp", "raw_json.cpp", "timestamp.cpp", "cancellation.cpp", "logging.cpp",
               "calendar.hpp", "trim.hpp", "retry_after.hpp", "retry_after.cpp", "json/reader.hpp",
               "json/text.hpp", "http/headers.cpp"):
        return "ground"
    if rel in ("message_param.cpp", "model_factories.hpp") or rel.startswith("beta/"):
        return "models"
    if rel.startswith(("json/", "generated/")):
        return "codecs"
    if rel.startswith("http/"):
        return "transport"
    if rel.startswith("messages/") or rel in ("client.cpp", "client_config.hpp"):
        return "services"
    return None


INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def included_layer(kind, name):
    """The layer of an included file; None for one outside the library (std, curl, ...)."""
    if name.startswith("anthropic/"):
        return public_layer(name)  # <anthropic/...> or "anthropic/..."
    if kind == "<":
        return None
    return private_layer(name) or "unknown"  # "json/reader.hpp", "http/retry_state.hpp", ...


def main():
    root = pathlib.Path(sys.argv[1])
    files = []
    for path in sorted((root / "include").rglob("*.hpp")):
        files.append((path, public_layer(path.relative_to(root / "include").as_posix())))
    problems = []
    for path in sorted((root / "src").rglob("*")):
        if path.suffix in (".hpp", ".cpp"):
            rel = path.relative_to(root / "src").as_posix()
            layer = private_layer(rel)
            if layer is None:
                problems.append(f"src/{rel}: no layer (add a rule to {pathlib.Path(__file__).name})")
            else:
                files.append((path, layer))
    for path, layer in files:
        for kind, name in INCLUDE.findall(path.read_text(encoding="utf-8")):
            to = included_layer(kind, name)
            if to == "unknown":
                problems.append(f"{path.relative_to(root)} includes \"{name}\", which is not in src/")
            elif to is not None and LAYERS.index(to) > LAYERS.index(layer):
                problems.append(f"{path.relative_to(root)} ({layer}) includes {name} ({to})")
    for p in problems:
        print(p)
    print(f"{len(files)} files checked, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
