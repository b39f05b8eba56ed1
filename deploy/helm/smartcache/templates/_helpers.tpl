{{/* Chart name, overridable. */}}
{{- define "smartcache.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-scoped name prefix of every object; at most 30 characters, leaving room for suffixes. */}}
{{- define "smartcache.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 30 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 30 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 30 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "smartcache.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels that select one component's pods: name, instance, component. */}}
{{- define "smartcache.selectorLabels" -}}
app.kubernetes.io/name: {{ include "smartcache.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* Every label of a component's objects: its selector labels, then version and management. */}}
{{- define "smartcache.labels" -}}
{{ include "smartcache.selectorLabels" . }}
helm.sh/chart: {{ include "smartcache.chart" .root }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: smartcache
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Labels selecting the cache nodes of one site: the cache component's and the site's. */}}
{{- define "smartcache.siteSelectorLabels" -}}
{{ include "smartcache.selectorLabels" (dict "root" .root "component" "cache") }}
smartcache/site: {{ .site.name | quote }}
{{- end -}}

{{/* A site's name as a DNS label for object names: T2_IT_Pisa -> t2-it-pisa. */}}
{{- define "smartcache.siteId" -}}
{{- .name | lower | replace "_" "-" | replace "." "-" | trunc 15 | trimSuffix "-" -}}
{{- end -}}

{{- define "smartcache.image" -}}
{{- if .digest -}}
{{ .repository }}@{{ .digest }}
{{- else -}}
{{ .repository }}:{{ .tag | default .appVersion }}
{{- end -}}
{{- end -}}

{{- define "smartcache.appImage" -}}
{{ include "smartcache.image" (merge (dict "appVersion" .Chart.AppVersion) .Values.image) }}
{{- end -}}

{{- define "smartcache.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ default (include "smartcache.fullname" .) .Values.serviceAccount.name }}
{{- else -}}
{{ default "default" .Values.serviceAccount.name }}
{{- end -}}
{{- end -}}

{{- define "smartcache.adminSecretName" -}}
{{ default (printf "%s-admin" (include "smartcache.fullname" .)) .Values.adminToken.existingSecret }}
{{- end -}}

{{- define "smartcache.originSecretName" -}}
{{ default (printf "%s-origin" (include "smartcache.fullname" .)) .Values.origin.credential.existingSecret }}
{{- end -}}

{{/* True (non-empty) when the origin needs a credential: an existing Secret or a chart-created one. */}}
{{- define "smartcache.originCredential" -}}
{{- if or .Values.origin.credential.existingSecret .Values.origin.credential.token -}}true{{- end -}}
{{- end -}}

{{- define "smartcache.redirectorName" -}}
{{ include "smartcache.fullname" .root }}-redirector-{{ .index }}
{{- end -}}

{{- define "smartcache.modelServiceName" -}}
{{ include "smartcache.fullname" . }}-model
{{- end -}}

{{- define "smartcache.cacheHeadlessName" -}}
{{ include "smartcache.fullname" . }}-cache
{{- end -}}

{{- define "smartcache.modelUrl" -}}
http://{{ include "smartcache.modelServiceName" . }}.{{ .Release.Namespace }}.svc.{{ .Values.clusterDomain }}:{{ .Values.modelService.port }}
{{- end -}}

{{/* The Spark Connect address prep uses: the chart's server, or spark.remote. */}}
{{- define "smartcache.sparkRemote" -}}
{{- if .Values.spark.enabled -}}
sc://{{ include "smartcache.fullname" . }}-spark.{{ .Release.Namespace }}.svc.{{ .Values.clusterDomain }}:{{ .Values.spark.port }}
{{- else -}}
{{ .Values.spark.remote }}
{{- end -}}
{{- end -}}

{{/* The NetworkPolicy peers that scrape metrics, as list items (nothing when there are none). */}}
{{- define "smartcache.metricsPeers" -}}
{{- range .Values.networkPolicy.metricsFrom }}
- {{ toYaml . | nindent 2 | trim }}
{{- end }}
{{- end -}}

{{/* The redirector's lake.yaml (docs/cluster.md): the sites, their distances and client blocks. */}}
{{- define "smartcache.lake" -}}
{{- $redirector := .Values.redirector -}}
{{- $sites := list -}}
{{- range .Values.cache.sites }}{{ $sites = append $sites (dict "name" .name) }}{{ end -}}
{{- range $redirector.clientOnlySites }}{{ $sites = append $sites (dict "name" .) }}{{ end -}}
{{- $lake := dict "origin" .Values.origin.url "heartbeatTimeout" $redirector.heartbeatTimeout "sites" $sites -}}
{{- with $redirector.distances }}{{ $_ := set $lake "distances" . }}{{ end -}}
{{- with $redirector.clients }}{{ $_ := set $lake "clients" . }}{{ end -}}
{{- with $redirector.hotFileReplicas }}{{ $_ := set $lake "replicas" . }}{{ end -}}
{{ toYaml $lake }}
{{- end -}}

{{/* The volumes prep and train see; the argument is true with the Spark engine. */}}
{{- define "smartcache.trainingMounts" -}}
- name: data
  mountPath: /data
  readOnly: true
- name: work
  mountPath: /work
- name: tmp
  mountPath: /tmp
{{- if . }}
- name: shared
  mountPath: /shared
{{- end }}
{{- end -}}
