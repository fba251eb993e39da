/** The answer's JSON, or its text when it is not JSON (kept so an assertion message shows what came back). */
export async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
