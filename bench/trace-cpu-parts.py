#!/usr/bin/env python3
"""CPU_TIME of a sampled-thread-time speedscope file in buckets: each CPU interval goes to the bucket of
the innermost frame of its stack that matches one (native frames count for their managed caller); a
thread stopped at a GC poll, spinning for work or spinning on a lock counts only when that is its leaf.
The sampler marks those as running although they wait, so read the first rows as time the runtime holds
threads. Usage: dotnet-trace convert --format Speedscope uploads.nettrace -o up; trace-cpu-parts.py up.speedscope.json"""
import json, sys, re, collections
d = json.load(open(sys.argv[1])); names = [f['name'] for f in d['shared']['frames']]
buckets = [
 ("waiting for a GC (threads stopped at a GC poll)", r"PollGC"),
 ("idle thread-pool workers spinning for work", r"LowLevelLifoSemaphore|WorkerThreadStart\(\)$|MaybeAddWorkingWorker|WaitHandle.WaitOne"),
 ("spinning on contended locks (Kestrel pipes, DI scopes, Orleans scheduler)", r"Monitor.Enter_Slowpath|Lock.TryEnterSlow|Lock.EnterAndGetCurrentThreadId"),
 ("credential fingerprint (SHA-256)", r"SiteGrantCache.Fingerprint"),
 ("document ids (random bytes)", r"ObjectIds.New"),
 ("Npgsql (group commit: write, read, parameters)", r"^Npgsql!"),
 ("the patient grain's write (rules, window, writer, alarm and push notices)", r"PatientGrain\+<WriteDocumentsAsync>|PatientGrain\+<ApplyChangeAsync>"),
 ("Orleans messaging and scheduling (grain calls)", r"^Orleans\."),
 ("our middleware and endpoint (site, auth, body, answer)", r"^Nocturne\.Api!"),
 ("Kestrel HTTP/1.1 parsing and pipes", r"Kestrel|System.IO.Pipelines"),
 ("sockets (send/receive, epoll loop)", r"System.Net.Sockets"),
]
acc = collections.Counter(); total = 0.0
for p in d['profiles']:
    stack = []; last = None
    for e in p['events']:
        at = e['at']
        if last is not None and stack and names[stack[-1]] == 'CPU_TIME':
            dt = at - last; total += dt; frames = [names[f] for f in reversed(stack[:-1])]
            leaf_only = buckets[:3]
            hit = next((t for t, pat in leaf_only if re.search(pat, frames[0])), None) if frames else None
            hit = hit or next((t for f in frames for t, pat in buckets[3:] if re.search(pat, f)), None)
            if hit is None:
                hit = "native only (runtime threads, GC work, JIT; no managed frame)" if all(f == '?!?' or f.startswith(('Thread', 'Threads', '(Non', 'Process')) for f in frames) else "other (runtime, collections, JSON, telemetry)"
            acc[hit] += dt
        last = at
        if e['type'] == 'O': stack.append(e['frame'])
        else:
            while stack:
                if stack.pop() == e['frame']: break
for title, _ in buckets + [("other (runtime, collections, JSON, telemetry)", ""), ("native only (runtime threads, GC work, JIT; no managed frame)", "")]:
    print(f"| {title} | {100*acc[title]/total:.1f} % |")
