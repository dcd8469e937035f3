// isHealthy: what the volc-im-mock-healthcheck bin (src/healthcheck.ts) asks of a running emulator.

/** True when http://host:port/_mock/health answers 200 within timeoutMs. */
export async function isHealthy(port: number | string, host = '127.0.0.1', timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`http://${host}:${port}/_mock/health`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.arrayBuffer().catch(() => undefined);
    return res.status === 200;
  } catch {
    return false;
  }
}
