{{/* The release's name for every object, within Kubernetes' 63 characters. */}}
{{- define "forloeb.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "forloeb.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "forloeb.labels" -}}
{{ include "forloeb.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "forloeb.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{/* The Secret holding the secret settings: the one named, or the chart's own. */}}
{{- define "forloeb.secretName" -}}
{{- .Values.secrets.existingSecret | default (printf "%s-secrets" (include "forloeb.fullname" .)) -}}
{{- end -}}

{{- define "forloeb.temporalTlsSecretName" -}}
{{- .Values.temporal.tls.existingSecret | default (printf "%s-temporal-tls" (include "forloeb.fullname" .)) -}}
{{- end -}}

{{/* Whether the pods mount TLS files for Temporal. */}}
{{- define "forloeb.temporalTlsFiles" -}}
{{- if and .Values.temporal.tls.enabled (or .Values.temporal.tls.ca .Values.temporal.tls.clientCertificate) -}}
true
{{- end -}}
{{- end -}}

{{/*
The secret settings, each by its own name. The three production refuses to start without are
required; the rest are optional, so an existing Secret holds only what the municipality uses.
*/}}
{{- define "forloeb.secretEnv" -}}
{{- $secret := include "forloeb.secretName" . -}}
{{- range $name := list "DATABASE_URL" "FORLOEB_SECRET_KEY" "FORLOEB_PAYLOAD_KEYS" }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $name }}
{{- end }}
{{- range $name := list "FORLOEB_TEMPORAL_API_KEY" "FORLOEB_OIDC_ISSUER" "FORLOEB_OIDC_CLIENT_ID" "FORLOEB_OIDC_CLIENT_SECRET" "TWILIO_ACCOUNT_SID" "TWILIO_AUTH_TOKEN" "TWILIO_FROM" "SMTP_USERNAME" "SMTP_PASSWORD" }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $name }}
      optional: true
{{- end }}
{{- end -}}

{{/* Writable places on a read-only root: /tmp and the data directory, both emptied at restart. */}}
{{- define "forloeb.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 64Mi
- name: data
  emptyDir:
    sizeLimit: 64Mi
{{- if include "forloeb.temporalTlsFiles" . }}
- name: temporal-tls
  secret:
    secretName: {{ include "forloeb.temporalTlsSecretName" . }}
    defaultMode: 0440
{{- end }}
{{- end -}}

{{- define "forloeb.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /var/lib/forloeb
{{- if include "forloeb.temporalTlsFiles" . }}
- name: temporal-tls
  mountPath: /etc/forloeb/temporal-tls
  readOnly: true
{{- end }}
{{- end -}}

{{/* Pod-level fields the API, the worker and the migration share. */}}
{{- define "forloeb.podCommon" -}}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
