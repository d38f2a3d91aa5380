# The atlas in a container (see README.md, "Deploying"):
#   docker build -t atlas .
#   docker run --rm -p 8501:8501 atlas
# Two stages: the first has npm to fetch the map's scripts (`geo assets`); the image that
# runs has neither npm nor the package caches.

FROM python:3.11-slim AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends npm \
    && rm -rf /var/lib/apt/lists/*
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PATH=/opt/venv/bin:$PATH
RUN python -m venv /opt/venv
WORKDIR /app
COPY requirements.lock ./
RUN pip install -r requirements.lock
COPY pyproject.toml README.md ./
COPY src ./src
# Editable, as `make setup` does: geo finds data/ and static/ beside src/ (and also from the
# working directory, /app, where `streamlit run app.py` starts).
RUN pip install --no-deps -e .
# Leaflet, markercluster and jQuery from the npm registry, into /app/static/vendor.
RUN geo assets
COPY app.py ./
COPY pages ./pages
COPY data ./data
COPY .streamlit/config.toml ./.streamlit/

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 atlas
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
# A shared dashboard does not offer the pages that write to the data (Ingest, Import).
ENV GEO_READ_ONLY=1
# Same paths as in the build stage: the venv's editable install points at /app/src.
COPY --from=build /opt/venv /opt/venv
COPY --from=build /app /app
WORKDIR /app
USER atlas
EXPOSE 8501
# Under a path prefix (-e STREAMLIT_SERVER_BASE_URL_PATH=atlas) the health URL moves with it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s CMD ["python", "-c", "import os, urllib.request; p = os.environ.get('STREAMLIT_SERVER_BASE_URL_PATH', '').strip('/'); urllib.request.urlopen('http://127.0.0.1:8501' + ('/' + p if p else '') + '/_stcore/health', timeout=4)"]
CMD ["streamlit", "run", "app.py", "--server.port=8501", "--server.address=0.0.0.0"]
