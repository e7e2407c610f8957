FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 gettext \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir . && mkdir -p staticfiles \
    && ASSETLENS_PRODUCTION=0 python manage.py collectstatic --no-input -v0
EXPOSE 8000
