# The agent on every Nomad client that runs the Docker driver: a *system* job places one allocation
# per eligible client node (and on nodes that join later). The same settings as the Kubernetes
# DaemonSet (conf/deploy/kubernetes/daemonset.yaml): non-root with the socket's group, read-only
# root file system, no capabilities, no privilege escalation, the default seccomp profile, HTTP
# checks on /healthz and /readyz, resources from the measured footprint.
#
# The client's Docker plugin must allow host volumes (plugin "docker" { config { volumes { enabled = true } } }).
# Run: nomad job run -var api_token=... conf/deploy/nomad/docker-cleaner.nomad.hcl

variable "api_token" {
  type        = string
  description = "bearer token of the agent's write API (HTTP_LISTEN is not loopback)"
}

variable "docker_socket_gid" {
  type    = string
  default = "999" # GID of /var/run/docker.sock on the clients
}

job "docker-cleaner" {
  type      = "system"
  priority  = 90    # above ordinary jobs: it frees the disk they need
  node_pool = "all" # every node pool (Nomad >= 1.6), as the DaemonSet tolerates every taint

  constraint {
    attribute = "${attr.driver.docker}"
    value     = "1"
  }

  group "agent" {
    # STATE_DIR lives in the allocation's data folder; sticky keeps it across job updates on a node
    ephemeral_disk {
      size   = 100
      sticky = true
    }

    network {
      port "http" {
        to = 8080
      }
    }

    # /healthz: the process serves HTTP; /readyz: it is connected to the daemon and following its
    # events (both open without the token). A failing /healthz restarts the task.
    service {
      provider = "nomad"
      name     = "docker-cleaner"
      port     = "http"

      check {
        name     = "alive"
        type     = "http"
        path     = "/healthz"
        interval = "20s"
        timeout  = "3s"

        check_restart {
          limit = 3
          grace = "10s"
        }
      }

      check {
        name     = "ready"
        type     = "http"
        path     = "/readyz"
        interval = "10s"
        timeout  = "3s"
      }
    }

    task "docker-cleaner" {
      driver       = "docker"
      kill_timeout = "30s" # the agent saves its state on SIGTERM

      config {
        image           = "docker-cleaner:latest"
        args            = ["agent"]
        ports           = ["http"]
        user            = "1000:1000"
        group_add       = ["${var.docker_socket_gid}"]
        readonly_rootfs = true
        cap_drop        = ["ALL"]
        security_opt    = ["no-new-privileges"] # Docker's default seccomp profile stays on (never "unconfined")
        volumes = [
          "/var/run/docker.sock:/var/run/docker.sock",
          "/var/lib/docker:/host/var/lib/docker:ro",
        ]

        mount {
          type   = "tmpfs"
          target = "/tmp"
          tmpfs_options {
            size = 16777216
          }
        }
      }

      env {
        STATE_DIR           = "${NOMAD_ALLOC_DIR}/data"
        DISK_PATH           = "/host/var/lib/docker"
        DISK_HIGH_WATERMARK = "85%"
        DISK_LOW_WATERMARK  = "75%"
        MIN_AGE             = "1h"
        LOG_FORMAT          = "json"
        HTTP_LISTEN         = "0.0.0.0:8080"
        API_TOKEN           = "${var.api_token}"
      }

      # measured (bench/README.md): idle RSS 82-97 MiB, 99.5 MiB after a 40-minute soak; the
      # image's JVM takes at most half the memory limit as heap (-XX:MaxRAMPercentage=50).
      # memory_max needs memory oversubscription enabled; without it, memory is the limit.
      resources {
        cpu        = 100 # MHz
        memory     = 128 # MiB
        memory_max = 256 # MiB
      }
    }
  }
}
