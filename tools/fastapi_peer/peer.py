"""An independent implementation of the CnakeCharmer API contract (docs/api.md, part 1).

Written from the contract alone, in the framework the real service uses
(FastAPI on uvicorn, as Debian 12 packages them: pydantic 1), so that the
client is tested against behaviour our C++ reference server does not share:
uvicorn's HTTP stack and idle-connection closes, pydantic's validation
errors, 202 answers, `eta: null`, 429s with an HTTP-date Retry-After.

Jobs are asynchronous; a job's state follows from the time since its POST.
The "translation" is a fixed textual rule: the test checks that the client
stores exactly what this server sent, not what a translator would say.

Prints `listening on http://127.0.0.1:<port>/api` once it accepts. With
--request-log, appends one JSON line per request in the fields the
reliability harness reads (tests/reliability/harness.h).
"""

import argparse
import email.utils
import hashlib
import json
import random
import re
import socket
import sys
import threading
import time
import uuid
from typing import List, Optional

import uvicorn
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--latency", default="fixed:0.3",
                    help="fixed:S or uniform:A,B (seconds from POST to done)")
    ap.add_argument("--eta", choices=["none", "exact"], default="none")
    ap.add_argument("--post-status", type=int, default=200, choices=[200, 201, 202])
    ap.add_argument("--key", default="", help="require this bearer token")
    ap.add_argument("--keep-alive", type=int, default=5,
                    help="uvicorn closes connections idle this many seconds")
    ap.add_argument("--rate-limit", type=int, default=0,
                    help="requests per second before 429 (0: none)")
    ap.add_argument("--max-level", type=int, default=3,
                    help="highest optimization_level the body may carry")
    ap.add_argument("--request-log", default="")
    ap.add_argument("--seed", type=int, default=1)
    return ap.parse_args()


ARGS = parse_args()
RNG = random.Random(ARGS.seed)
LOCK = threading.Lock()
JOBS = {}  # request_id -> {"done_at": monotonic seconds, "code": str}
KEYS = {}  # Idempotency-Key -> (request_id, body dict)
WINDOW = {"second": 0, "count": 0}


class Generate(BaseModel):
    prompt: str
    target_languages: List[str] = Field(..., min_items=1)
    source_language: str = "cython"
    source_code: Optional[str] = None
    equivalency_check: bool = True
    optimization_level: int = Field(1, ge=0, le=ARGS.max_level)
    analysis_types: Optional[List[str]] = None
    max_attempts: int = Field(3, ge=1)
    metadata: Optional[dict] = {}


def job_latency():
    kind, _, spec = ARGS.latency.partition(":")
    if kind == "uniform":
        low, high = (float(x) for x in spec.split(","))
        return RNG.uniform(low, high)
    return float(spec)


def translate(cython):
    """Drops C type declarations: enough to tell one entry's answer from another's."""
    lines = []
    for line in (cython or "").splitlines():
        line = re.sub(r"\bcdef\s+(?:inline\s+)?(?:unsigned\s+)?\w+\s+(?=\w+\s*[=(])", "", line)
        lines.append(line.rstrip())
    return "# peer translation\n" + "\n".join(lines) + "\n"


def log(record):
    if not ARGS.request_log:
        return
    record["mono_ms"] = int(time.monotonic() * 1000)
    with LOCK, open(ARGS.request_log, "a", encoding="utf-8") as f:
        f.write(json.dumps(record) + "\n")


app = FastAPI()


@app.middleware("http")
async def guard(request: Request, call_next):
    """Rate limit and authentication, before validation, as a gateway would."""
    path = request.url.path
    if ARGS.rate_limit and path != "/api/health":
        now = time.time()
        with LOCK:
            if int(now) != WINDOW["second"]:
                WINDOW["second"], WINDOW["count"] = int(now), 0
            WINDOW["count"] += 1
            over = WINDOW["count"] > ARGS.rate_limit
        if over:
            log({"path": path, "method": request.method, "status": 429})
            retry = email.utils.formatdate(int(now) + 2, usegmt=True)
            return JSONResponse({"detail": "Rate limit exceeded"}, 429,
                                headers={"Retry-After": retry})
    if ARGS.key and path != "/api/health" and \
            request.headers.get("authorization") != "Bearer " + ARGS.key:
        log({"path": path, "method": request.method, "status": 401})
        return JSONResponse({"detail": "Not authenticated"}, 401,
                            headers={"WWW-Authenticate": "Bearer"})
    return await call_next(request)


@app.get("/api/health")
def health():
    return {"status": "ok"}


@app.post("/api/generate")
def generate(body: Generate, idempotency_key: Optional[str] = Header(None)):
    record = {"path": "/api/generate", "method": "POST",
              "source_id": str((body.metadata or {}).get("source_id")),
              "idempotency_key": idempotency_key, "job_created": False}
    with LOCK:
        if idempotency_key in KEYS:
            request_id, seen = KEYS[idempotency_key]
            if seen != body.dict():
                record["status"] = 422
                log(record)
                return JSONResponse({"detail": [{
                    "loc": ["header", "Idempotency-Key"],
                    "msg": "Idempotency-Key reused with a different body",
                    "type": "idempotency_key_reused"}]}, 422)
        else:
            request_id = str(uuid.uuid4())
            JOBS[request_id] = {"done_at": time.monotonic() + job_latency(),
                                "code": translate(body.source_code)}
            record["job_created"] = True
            if idempotency_key is not None:
                KEYS[idempotency_key] = (request_id, body.dict())
    record.update(status=ARGS.post_status, request_id=request_id)
    log(record)
    return JSONResponse({"request_id": request_id}, ARGS.post_status)


def find(request_id, endpoint):
    with LOCK:
        job = JOBS.get(request_id)
    if job is None:
        log({"path": f"/api/{endpoint}/", "status": 404, "request_id": request_id})
        return None, JSONResponse({"detail": f"Request {request_id} not found"}, 404)
    return job, None


@app.get("/api/status/{request_id}")
def status(request_id: str):
    job, missing = find(request_id, "status")
    if missing:
        return missing
    left = job["done_at"] - time.monotonic()
    state = "processing" if left > 0 else "completed"
    log({"path": "/api/status/", "status": 200, "request_id": request_id, "state": state})
    eta = round(left, 3) if left > 0 and ARGS.eta == "exact" else None
    return {"request_id": request_id, "status": state,
            "progress": None if left > 0 else 100.0, "eta": eta}


@app.get("/api/results/{request_id}")
def results(request_id: str):
    job, missing = find(request_id, "results")
    if missing:
        return missing
    record = {"path": "/api/results/", "status": 200, "request_id": request_id}
    empty = {"build_results": None, "analysis_results": None, "equivalency_result": None,
             "error_messages": None}
    if job["done_at"] > time.monotonic():
        log(record)
        return {"request_id": request_id, "status": "processing", "generated_code": None,
                **empty}
    record["python_sha256"] = hashlib.sha256(job["code"].encode("utf-8")).hexdigest()
    log(record)
    return {"request_id": request_id, "status": "completed",
            "generated_code": {"python": job["code"]}, **empty,
            "analysis_results": {"translator": "fastapi_peer"}, "error_messages": []}


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", ARGS.port))
    sock.listen(1024)
    print(f"listening on http://127.0.0.1:{sock.getsockname()[1]}/api", flush=True)
    config = uvicorn.Config(app, log_level="warning", timeout_keep_alive=ARGS.keep_alive,
                            access_log=False)
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    sys.exit(main())
