FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
# Collected with the production storage, so its manifest (staticfiles.json) is there for production settings.
RUN pip install --no-cache-dir . && mkdir -p staticfiles \
    && ASSETLENS_PRODUCTION=1 SECRET_KEY=only-for-collectstatic python manage.py collectstatic --no-input -v0
EXPOSE 8000
