"""The managers' dashboard: stalled and waiting cases, waiting times, caseloads, timing,
progression measurement and outcomes, all read from the SQL read model and drawn as
server-rendered SVG."""
