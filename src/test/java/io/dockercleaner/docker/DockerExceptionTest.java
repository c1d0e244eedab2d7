package io.dockercleaner.docker;

import static org.assertj.core.api.Assertions.assertThat;

import io.dockercleaner.docker.DockerException.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** 404/409 classification by the daemon's own messages (copied from Docker 20.10 and Podman 4.3). */
class DockerExceptionTest {

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      // image by reference, used by a stopped container
      "409 | conflict: unable to remove repository reference \"x:1\" (must force) - container 3e8b976a1508 is using its referenced image e4659440cc0d | CONFLICT_IN_USE",
      // image by id, used by a running container: in use, not "running"
      "409 | conflict: unable to delete e4659440cc0d (cannot be forced) - image is being used by running container 369ea383baad | CONFLICT_IN_USE",
      "409 | conflict: unable to delete e4659440cc0d (must be forced) - image is being used by stopped container 3e8b976a1508 | CONFLICT_IN_USE",
      "409 | conflict: unable to delete 5f3a (cannot be forced) - image has dependent child images | CONFLICT_IN_USE",
      "409 | remove v1: volume is in use - [3e8b976a1508] | CONFLICT_IN_USE",
      "409 | error while removing network: network n1 id 2a29 has active endpoints | CONFLICT_IN_USE",
      "409 | image used by 6bb6: image is in use by a container: consider listing external containers and force-removing image | CONFLICT_IN_USE",
      "409 | You cannot remove a running container 369e. Stop the container before attempting removal or force remove | CONFLICT_RUNNING",
      "409 | You cannot remove a paused container 369e. Unpause and then stop the container before attempting removal or force remove | CONFLICT_RUNNING",
      "409 | removal of container 369e is already in progress | CONFLICT_REMOVAL_IN_PROGRESS",
      "409 | something else | CONFLICT",
      "404 | No such container: x | NOT_FOUND",
      "500 | boom | HTTP_ERROR"})
  void classifiesByStatusAndMessage(int status, String message, Kind kind) {
    DockerException e = DockerException.fromResponse("op", status, message);

    assertThat(e.kind()).isEqualTo(kind);
    assertThat(e.isConflict()).isEqualTo(status == 409);
    assertThat(e.daemonMessage()).isEqualTo(message);
  }
}
