/** The files the scripted executor writes: a minimal FastAPI service with a health check. */

/** app/main.py: the FastAPI application with `GET /health`. */
export const MAIN_PY = `"""A minimal REST API: FastAPI with a health check."""
from fastapi import FastAPI

app = FastAPI(title="service")


@app.get("/health")
def health() -> dict[str, str]:
    """Liveness probe: 200 with {"status": "ok"} while the process serves requests."""
    return {"status": "ok"}
`;

/** requirements.txt: what `pip install -r requirements.txt` installs. */
export const REQUIREMENTS_TXT = `fastapi
uvicorn
`;

/** Dockerfile: installs requirements.txt, serves the app with uvicorn on port 8000. */
export const DOCKERFILE = `FROM python:3.11-slim
WORKDIR /srv
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY app ./app
EXPOSE 8000
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]
`;

/** README.md, with the note the revision adds after the offline install failed. */
export const README_MD = `# service

A minimal REST API on FastAPI, served by uvicorn.

## Layout

- \`app/main.py\`: the application; \`GET /health\` answers \`{"status": "ok"}\`
- \`tests/\`: tests
- \`requirements.txt\`: dependencies (fastapi, uvicorn)
- \`Dockerfile\`: container image serving on port 8000

## Set up

The virtual environment \`.venv\` exists, but the dependencies are not installed yet: this project
was scaffolded offline and pip could not reach a package index. When online, run:

    .venv/bin/python -m pip install -r requirements.txt

## Run

    .venv/bin/python -m uvicorn app.main:app --reload
    curl http://127.0.0.1:8000/health

## Docker

    docker build -t service .
    docker run -p 8000:8000 service
`;
