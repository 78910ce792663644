from httpx import AsyncClient


async def test_create_and_read_unit(client: AsyncClient) -> None:
    response = await client.post(
        "/api/v1/units", json={"code": "BGS", "name": "办公室", "kind": "department"}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/v1/units/{body['id']}"
    got = await client.get(response.headers["location"])
    assert got.status_code == 200
    assert got.json()["name"] == "办公室"
    assert got.headers["etag"] == response.headers["etag"]
