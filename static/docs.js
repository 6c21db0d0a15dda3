// Try-it form of /docs: sends the form as JSON to POST /api/v1/predictions and shows the answer.
const form = document.getElementById("try-form");
const status = document.getElementById("try-status");
const result = document.getElementById("try-result");

function bodyOf(data) {
  const body = {
    league: data.get("league"),
    home_team: data.get("home_team"),
    away_team: data.get("away_team"),
  };
  const odds = {};
  for (const k of ["home", "draw", "away"]) {
    const v = String(data.get(`odds.${k}`) ?? "").trim();
    if (v !== "") odds[k] = Number(v);
  }
  if (Object.keys(odds).length > 0) body.odds = odds;
  return body;
}

if (form && status && result) {
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "Predicting…";
    result.textContent = "";
    const started = performance.now();
    try {
      const res = await fetch(form.action, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(bodyOf(new FormData(form))),
      });
      const ms = Math.round(performance.now() - started);
      const cache = res.headers.get("x-cache");
      status.textContent = `${res.status} ${res.statusText} in ${ms} ms${cache ? ` (cache ${cache})` : ""}`;
      result.textContent = JSON.stringify(await res.json(), null, 2);
    } catch (e) {
      status.textContent = `Request failed: ${e instanceof Error ? e.message : String(e)}`;
    }
  });
}
